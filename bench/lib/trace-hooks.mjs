// ESM loader hooks (run on the hooks thread): append every resolved module URL to a file.
import { appendFileSync } from 'node:fs';

let out;
export function initialize(data) {
  out = data.out;
}

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (out) appendFileSync(out, `esm ${r.url}\n`);
  return r;
}
