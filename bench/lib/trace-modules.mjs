// Preloaded with `node --import ./bench/lib/trace-modules.mjs`: records every module the process
// loads, ESM (through a resolve hook) and CommonJS (through Module._load), one line each, into the
// file named by GITWAY_TRACE_OUT. Used by startup.js to prove that --version and --help stay light.
import { register, createRequire } from 'node:module';
import { appendFileSync, writeFileSync } from 'node:fs';

const out = process.env.GITWAY_TRACE_OUT;
if (out) {
  writeFileSync(out, '');
  register('./trace-hooks.mjs', import.meta.url, { data: { out } });
  const Module = createRequire(import.meta.url)('node:module');
  const original = Module._load;
  Module._load = function (request, parent, isMain) {
    let resolved = request;
    try {
      resolved = Module._resolveFilename(request, parent, isMain);
    } catch {
      // builtins and failures: keep the request as written
    }
    appendFileSync(out, `cjs ${resolved}\n`);
    return original.apply(this, arguments);
  };
}
