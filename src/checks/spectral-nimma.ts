/**
 * Spectral's runner (`@stoplight/spectral-core/dist/runner/runner.js`) requires `nimma/legacy`, the
 * build of its JSONPath engine transpiled for old runtimes: every private class field there is a
 * WeakMap lookup through Babel helpers, about 0.8 s of the rules' 6 s on stripe-spec3. The package
 * ships the same source built for current Node (`nimma`, native private fields); the two differ only
 * in that transpilation (same code generator, same runtime, same fallbacks). Before Spectral is
 * loaded, this places the current build in the require cache under the legacy entry's file name, so
 * Spectral's `require('nimma/legacy')` gets it. Only that one file of that one copy of nimma (the
 * one Spectral's runner resolves) is affected, and nothing when Spectral's runner is loaded already.
 */
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import { installCompileCache, installRepeatSkip } from './function-cache.js';
import { installSubtreeMemo } from './nimma-memo.js';
import { installPlainData } from './plain-data.js';

let done = false;

/** Call before the first import of `@stoplight/spectral-core` in a thread (idempotent, never throws). */
export function preferModernNimma(): void {
  if (done) return;
  done = true;
  try {
    const fromHere = createRequire(import.meta.url);
    const core = fromHere.resolve('@stoplight/spectral-core');
    // first: Spectral's JSON parser captures its object factory when it loads (the others load it)
    // the parsers' copy Spectral's core reads referenced files with, and the one gitway opens documents with
    installPlainData(createRequire(core).resolve('@stoplight/spectral-parsers'));
    installPlainData(fromHere.resolve('@stoplight/spectral-parsers'));
    installRepeatSkip(core);
    installCompileCache(fromHere.resolve('@stoplight/spectral-functions'));
    // the package exports only its entry (dist/index.js); the runner sits beside it
    const runner = path.join(path.dirname(core), 'runner', 'runner.js');
    const fromRunner = createRequire(runner);
    // `Module._cache` is `require.cache`, shared by every CommonJS require of this thread
    const cache = fromHere.cache;
    if (cache[runner]) return; // Spectral is loaded: too late
    const legacy = fromRunner.resolve('nimma/legacy');
    if (cache[legacy]) return;
    const modernIndex = fromRunner.resolve('nimma');
    const modern = fromRunner(modernIndex) as Record<string, unknown>;
    if (typeof modern.default !== 'function') return; // not the build this was written for: leave Spectral's choice
    installSubtreeMemo(modernIndex);
    const entry = new Module(legacy);
    entry.filename = legacy;
    entry.loaded = true;
    entry.exports = modern;
    cache[legacy] = entry;
  } catch {
    // any surprise (a moved file, another layout): Spectral loads its own choice, only slower
  }
}
