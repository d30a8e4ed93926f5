// ESM resolve hook used by the start-up test: appends every resolved module URL to $GITWAY_LOADS.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.GITWAY_LOADS) appendFileSync(process.env.GITWAY_LOADS, result.url + '\n');
  return result;
}
