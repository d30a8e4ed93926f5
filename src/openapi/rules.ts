/**
 * Checks of OpenAPI 3.1 and 3.2 that the OAI added to its schemas after the versions packaged with
 * our validators (see oas32.ts), written from the specification's text:
 * - `example` and `examples` are mutually exclusive (Parameter, Header, Media Type Object);
 * - `allowReserved` applies only where values are percent-encoded: 3.1, `in: query` only;
 *   3.2, query, path and cookie with style form (not header, not cookie with style cookie); a
 *   Header Object has no `allowReserved` at all;
 * - 3.2: header names (Header Object keys, `in: header` parameter names) are HTTP tokens (RFC 9110);
 * - the Link Object has no `body` field (an old misprint of `server`).
 */
import type { JsonPath } from '../manifest/source.js';
import { visit } from './oas32.js';

export interface RuleProblem {
  path: JsonPath;
  code: string;
  message: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function checkRules(view: unknown, version: '3.1' | '3.2'): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const add = (path: JsonPath, message: string) => problems.push({ path, code: 'openapi-schema', message: `OpenAPI ${version}: ${message}` });
  visit(view, 'root', version, (node, kind, path) => {
    if (typeof node.$ref === 'string') return true; // a Reference Object, checked where its target is
    if ((kind === 'parameter' || kind === 'header' || kind === 'mediaType') && node.example !== undefined && node.examples !== undefined) {
      add([...path, 'examples'], `${where(path)} has both example and examples; they are mutually exclusive, keep one`);
    }
    if (kind === 'header') {
      if (node.allowReserved !== undefined) add([...path, 'allowReserved'], `${where(path)}: a Header Object has no allowReserved (header values are not percent-encoded)`);
      const name = path[path.length - 1];
      if (version === '3.2' && path[path.length - 2] === 'headers' && typeof name === 'string' && !TOKEN.test(name)) {
        add(path, `header name ${JSON.stringify(name)} is not a valid HTTP field name (letters, digits and !#$%&'*+.^_\`|~- only)`);
      }
    }
    if (kind === 'parameter' && typeof node.in === 'string') {
      if (node.allowReserved !== undefined && !allowReservedPermitted(version, node.in, node.style)) {
        add([...path, 'allowReserved'], `${where(path)}: allowReserved is not allowed with in: ${node.in}${node.style ? ` and style: ${String(node.style)}` : ''} (${version === '3.1' ? 'only query parameters have it' : 'only where values are percent-encoded: query, path, and cookie with style form'})`);
      }
      if (version === '3.2' && node.in === 'header' && typeof node.name === 'string' && !TOKEN.test(node.name)) {
        add([...path, 'name'], `header parameter name ${JSON.stringify(node.name)} is not a valid HTTP field name (letters, digits and !#$%&'*+.^_\`|~- only)`);
      }
    }
    if (kind === 'link' && node.body !== undefined) add([...path, 'body'], `${where(path)}: a Link Object has no field body (to name the server, use server)`);
    return true;
  });
  return problems;
}

function allowReservedPermitted(version: '3.1' | '3.2', location: string, style: unknown): boolean {
  if (location === 'query') return true;
  if (version === '3.1') return false;
  if (location === 'path') return true;
  if (location === 'cookie') return style === undefined || style === 'form';
  return false;
}

function where(path: JsonPath): string {
  return '/' + path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}
