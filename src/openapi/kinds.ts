/**
 * What kind of OpenAPI object sits at a place of a document, found by walking the specification's
 * structure from the root (paths → path item → operation → parameters → parameter → schema …).
 * The resolver needs it to know where a Reference Object is allowed (so a repeated target can stay
 * a `$ref` there instead of being copied), and what the siblings of a `$ref` mean at that place.
 */

export type Family = '2.0' | '3.0' | '3.1' | '3.2';

export type Kind =
  | 'root'
  | 'paths'
  | 'pathItem'
  | 'pathItemMap'
  | 'operation'
  | 'operationMap'
  | 'parameterList'
  | 'parameter'
  | 'parameterMap'
  | 'requestBody'
  | 'requestBodyMap'
  | 'responses'
  | 'response'
  | 'responseMap'
  | 'header'
  | 'headerMap'
  | 'mediaType'
  | 'contentMap'
  | 'encodingMap'
  | 'encoding'
  | 'example'
  | 'exampleMap'
  | 'link'
  | 'linkMap'
  | 'callback'
  | 'callbackMap'
  | 'securityScheme'
  | 'securitySchemeMap'
  | 'components'
  | 'schema'
  | 'schemaMap'
  | 'schemaList'
  /** Anything else: info, servers, tags, extensions, example values … */
  | 'other';

const METHODS_2_0 = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];
const METHODS_3 = [...METHODS_2_0, 'trace'];

/** The family of a parsed root document, or undefined when it says no known version. */
export function familyOf(root: unknown): Family | undefined {
  if (!root || typeof root !== 'object' || Array.isArray(root)) return undefined;
  const doc = root as Record<string, unknown>;
  if (doc.swagger !== undefined) return '2.0';
  if (typeof doc.openapi !== 'string') return undefined;
  const m = /^3\.([0-2])\./.exec(doc.openapi);
  return m ? (`3.${m[1]}` as Family) : undefined;
}

const MAP_ITEM: Partial<Record<Kind, Kind>> = {
  paths: 'pathItem',
  pathItemMap: 'pathItem',
  operationMap: 'operation',
  parameterList: 'parameter',
  parameterMap: 'parameter',
  requestBodyMap: 'requestBody',
  responses: 'response',
  responseMap: 'response',
  headerMap: 'header',
  contentMap: 'mediaType',
  encodingMap: 'encoding',
  exampleMap: 'example',
  linkMap: 'link',
  callbackMap: 'callback',
  callback: 'pathItem',
  securitySchemeMap: 'securityScheme',
  schemaMap: 'schema',
  schemaList: 'schema',
};

const SCHEMA_CHILD: Record<string, Kind> = {
  properties: 'schemaMap',
  patternProperties: 'schemaMap',
  definitions: 'schemaMap',
  $defs: 'schemaMap',
  dependentSchemas: 'schemaMap',
  allOf: 'schemaList',
  anyOf: 'schemaList',
  oneOf: 'schemaList',
  prefixItems: 'schemaList',
  additionalProperties: 'schema',
  not: 'schema',
  contains: 'schema',
  if: 'schema',
  then: 'schema',
  else: 'schema',
  propertyNames: 'schema',
  unevaluatedItems: 'schema',
  unevaluatedProperties: 'schema',
  additionalItems: 'schema',
  contentSchema: 'schema',
};

/** The kind of the value under `key` of a value of kind `parent`. */
export function childKind(family: Family, parent: Kind, key: string | number): Kind {
  if (parent === 'other') return 'other';
  const item = MAP_ITEM[parent];
  if (item) {
    if (parent === 'paths' && (typeof key !== 'string' || !key.startsWith('/'))) return 'other';
    if (typeof key === 'string' && key.startsWith('x-') && parent !== 'schemaMap' && parent !== 'schemaList') return 'other';
    return item;
  }
  const k = String(key);
  if (k.startsWith('x-')) return 'other';
  switch (parent) {
    case 'root':
      if (k === 'paths') return 'paths';
      if (family === '2.0') return k === 'definitions' ? 'schemaMap' : k === 'parameters' ? 'parameterMap' : k === 'responses' ? 'responseMap' : k === 'securityDefinitions' ? 'securitySchemeMap' : 'other';
      return k === 'components' ? 'components' : k === 'webhooks' ? 'pathItemMap' : 'other';
    case 'components':
      return (
        (
          {
            schemas: 'schemaMap',
            responses: 'responseMap',
            parameters: 'parameterMap',
            examples: 'exampleMap',
            requestBodies: 'requestBodyMap',
            headers: 'headerMap',
            securitySchemes: 'securitySchemeMap',
            links: 'linkMap',
            callbacks: 'callbackMap',
            pathItems: 'pathItemMap',
          } as Record<string, Kind>
        )[k] ?? 'other'
      );
    case 'pathItem':
      if ((family === '2.0' ? METHODS_2_0 : METHODS_3).includes(k) || (family === '3.2' && k === 'query')) return 'operation';
      if (family === '3.2' && k === 'additionalOperations') return 'operationMap';
      return k === 'parameters' ? 'parameterList' : 'other';
    case 'operation':
      if (k === 'parameters') return 'parameterList';
      if (k === 'responses') return 'responses';
      if (family === '2.0') return 'other';
      return k === 'requestBody' ? 'requestBody' : k === 'callbacks' ? 'callbackMap' : 'other';
    case 'parameter':
    case 'header':
      if (k === 'schema') return 'schema';
      if (family === '2.0') return 'other';
      return k === 'content' ? 'contentMap' : k === 'examples' ? 'exampleMap' : 'other';
    case 'requestBody':
      return k === 'content' ? 'contentMap' : 'other';
    case 'response':
      if (k === 'schema' && family === '2.0') return 'schema';
      if (k === 'headers') return family === '2.0' ? 'other' : 'headerMap';
      if (family === '2.0') return 'other';
      return k === 'content' ? 'contentMap' : k === 'links' ? 'linkMap' : 'other';
    case 'mediaType':
      if (k === 'schema' || k === 'itemSchema') return 'schema';
      return k === 'examples' ? 'exampleMap' : k === 'encoding' ? 'encodingMap' : 'other';
    case 'encoding':
      return k === 'headers' ? 'headerMap' : 'other';
    case 'schema':
      if (k === 'items') return 'schema'; // a schema, or (2.0/3.0 tuple form, 3.1 draft) a list handled below
      return SCHEMA_CHILD[k] ?? 'other';
    default:
      return 'other';
  }
}

/** The kind of an array element under a value of `kind` (items: [ … ] is a list of schemas). */
export function elementKind(kind: Kind): Kind {
  if (kind === 'parameterList' || kind === 'schemaList') return MAP_ITEM[kind]!;
  if (kind === 'schema') return 'schema';
  return 'other';
}

/** Where the specification allows a Reference Object (or, in a schema, a `$ref`) in place of the object. */
export function referenceAllowed(family: Family, kind: Kind): boolean {
  switch (kind) {
    case 'schema':
    case 'parameter':
    case 'response':
      return true;
    case 'requestBody':
    case 'example':
    case 'header':
    case 'link':
    case 'callback':
    case 'securityScheme':
      return family !== '2.0';
    default:
      return false;
  }
}

/**
 * Which siblings of a `$ref` count at a place of this kind. In a schema (and in a Path Item, whose
 * `$ref` is a field) they are merged over the target; a Reference Object elsewhere may carry only
 * `summary` and `description` (3.1+), which override the target's when its kind has such a field;
 * every other sibling SHALL be ignored.
 */
export function siblingApplies(family: Family, kind: Kind, key: string): boolean {
  if (kind === 'schema' || kind === 'pathItem' || kind === 'other') return true;
  if (family === '2.0' || family === '3.0') return false;
  if (key === 'description') return kind !== 'callback';
  if (key === 'summary') return kind === 'example';
  return false;
}
