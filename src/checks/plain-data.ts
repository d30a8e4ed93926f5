/**
 * Spectral's parsers (`@stoplight/spectral-parsers`, through `@stoplight/yaml` and `@stoplight/json`)
 * build every mapping of a document as a Proxy (`@stoplight/ordered-object-literal`) that keeps the
 * keys in the order of the file: a plain object would list integer-like keys ("200", "404") first.
 * Every later read of the document (the `$ref` resolver's copies, the rules' JSONPath walk, schema
 * validation of examples, freezing) then goes through the Proxy machinery, which V8 cannot optimise.
 *
 * After a parse, this hands Spectral a plain copy of the Proxy's target (the same properties)
 * wherever the order is the same either way: no key reads as an array index, and the
 * recorded order is the target's own (duplicate keys and YAML merge keys can reorder it). Elsewhere
 * the Proxy stays. The order marker (a non-enumerable symbol) is left off the plain object, so
 * `Reflect.ownKeys` lists the keys without it; `Object.keys`, `for…in`, `JSON.stringify` and
 * Spectral's `trapAccess` (the `alphabetical` rule) see the same keys in the same order.
 *
 * Installed before Spectral's parsers load (the JSON parser captures the Proxy factory at load); a
 * parser loaded earlier keeps its Proxies, which is only slower. Not with GITWAY_SUBTREE_MEMO=off.
 */
import { createRequire } from 'node:module';
import { spectralOwnWay } from './nimma-memo.js';

interface OrderedObjectLiteral {
  default: (target: object, order?: unknown[]) => object;
  ORDER_KEY_ID: string;
}

interface ParserResult {
  data: unknown;
}

const PATCHED = Symbol('gitway plain data');

/** A Proxy made by a patched factory → its target. */
const targets = new WeakMap<object, Record<string | symbol, unknown>>();

/** Array index names: what an object lists first, in numeric order. */
const INDEX = /^(?:0|[1-9]\d{0,9})$/;
const isIndex = (k: string) => INDEX.test(k) && Number(k) < 4294967295;

/**
 * Patches the factory of the ordered-object-literal copies that Spectral's parsers use, and the
 * parsers' `parse`. `spectralParsersEntry`: the entry file of the `@stoplight/spectral-parsers`
 * copy Spectral's core resolves. Idempotent, never throws.
 */
export function installPlainData(spectralParsersEntry: string): void {
  if (spectralOwnWay()) return;
  try {
    const fromParsers = createRequire(spectralParsersEntry);
    let order: symbol | undefined;
    for (const lib of ['@stoplight/json', '@stoplight/yaml']) {
      const fromLib = createRequire(fromParsers.resolve(lib));
      const ool = fromLib('@stoplight/ordered-object-literal') as OrderedObjectLiteral & { [PATCHED]?: true };
      order ??= Symbol.for(ool.ORDER_KEY_ID);
      if (ool[PATCHED]) continue;
      const make = ool.default;
      ool.default = function orderedObject(target: object, ...rest: unknown[]) {
        const proxy = make(target, ...(rest as [unknown[]?]));
        targets.set(proxy, target as Record<string | symbol, unknown>);
        return proxy;
      };
      Object.defineProperty(ool, PATCHED, { value: true });
    }
    const marker = order as symbol;
    const parsers = fromParsers(spectralParsersEntry) as Record<string, { parse: (input: unknown) => ParserResult } & { [PATCHED]?: true }>;
    for (const name of ['Json', 'Yaml']) {
      const parser = parsers[name];
      if (!parser || typeof parser.parse !== 'function' || parser[PATCHED]) continue;
      const parse = parser.parse;
      parser.parse = (input: unknown) => {
        const result = parse(input);
        if (result && typeof result === 'object' && result.data !== null && typeof result.data === 'object') result.data = plain(result.data, marker);
        return result;
      };
      Object.defineProperty(parser, PATCHED, { value: true });
    }
  } catch {
    // another layout: Spectral's Proxies stay
  }
}

/**
 * The value with each ordered Proxy replaced by a plain copy of its target where the key order is
 * the same (children first, replaced in place). A copy, not the target: deleting the order marker
 * from the target would turn it into a slow dictionary object. A parser builds a tree (no value
 * twice); a Proxy met again after its copy was handed out gives that copy again.
 */
export function plain(value: object, marker: symbol): object {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (child !== null && typeof child === 'object') value[i] = plain(child, marker);
    }
    return value;
  }
  const target = targets.get(value);
  if (target === undefined) return value;
  if (!(marker in target)) return target; // the copy handed out already
  const keys = Object.keys(target);
  for (const k of keys) {
    const child = target[k];
    if (child !== null && typeof child === 'object') target[k] = plain(child, marker);
  }
  if (!sameOrder(target, keys, marker)) return value;
  const copy = { ...target }; // own enumerable keys, in the target's order; the marker is not enumerable
  targets.set(value, copy);
  return copy;
}

/**
 * True when the recorded order is the target's own key order, no key is an array index, and the
 * target is an ordinary object (a `__proto__` key sets the prototype instead of a key).
 */
function sameOrder(target: Record<string | symbol, unknown>, keys: string[], marker: symbol): boolean {
  const recorded = target[marker];
  if (!Array.isArray(recorded) || Object.getPrototypeOf(target) !== Object.prototype) return false;
  let i = 0;
  for (const k of recorded) {
    if (k === marker) continue;
    if (k !== keys[i++] || isIndex(k as string)) return false;
  }
  return i === keys.length && Object.getOwnPropertySymbols(target).length === 1;
}
