import path from 'node:path';
import { analyseCorpus, analyseFiles, corpusEdge, errors } from './helpers.js';

const head31 = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n";

describe('OpenAPI 3.1 goes through the official 3.1 schema and the rules it lacks', () => {
  it('accepts a components-only document', async () => {
    const s = await analyseFiles({ 'lib.yaml': `${head31}components:\n  schemas:\n    A: {type: string}\n` }, 'lib.yaml');
    expect(errors(s)).toEqual([]);
    expect(s.valid).toBe(true);
  });

  it('rejects a document with neither paths, webhooks nor components', async () => {
    const s = await analyseFiles({ 'a.yaml': head31 }, 'a.yaml');
    expect(s.valid).toBe(false);
  });

  it('accepts a server variable without enum (rejected by swagger-parser 13 3.1 schema)', async () => {
    const s = await analyseCorpus(path.join(corpusEdge, 'oai-schema-tests/v3.1/pass'), 'servers.yaml');
    expect(errors(s)).toEqual([]);
  });

  it("accepts the Link Object's server field and rejects the misprinted body", async () => {
    const ok = await analyseFiles({ 'a.yaml': `${head31}components:\n  links:\n    L: {operationId: x, server: {url: 'https://a.example'}}\n` }, 'a.yaml');
    expect(errors(ok)).toEqual([]);
    const bad = await analyseFiles({ 'a.yaml': `${head31}components:\n  links:\n    L: {operationId: x, body: {url: 'https://a.example'}}\n` }, 'a.yaml');
    expect(bad.valid).toBe(false);
    expect(errors(bad)[0].message).toContain('no field body');
    expect(errors(bad)[0].line).toBe(5);
  });

  it('rejects example together with examples', async () => {
    const s = await analyseCorpus(path.join(corpusEdge, 'oai-schema-tests/v3.1/fail'), 'example-examples.yaml');
    expect(s.valid).toBe(false);
    expect(errors(s).map((e) => e.message).join('\n')).toContain('mutually exclusive');
  });

  it('allows allowReserved on query parameters only, and never on a Header Object', async () => {
    const q = await analyseFiles({ 'a.yaml': `${head31}components:\n  parameters:\n    q: {name: q, in: query, allowReserved: true, schema: {}}\n` }, 'a.yaml');
    expect(errors(q)).toEqual([]);
    const h = await analyseFiles({ 'a.yaml': `${head31}components:\n  parameters:\n    h: {name: h, in: header, allowReserved: false, schema: {}}\n` }, 'a.yaml');
    expect(errors(h).map((e) => e.message).join('\n')).toContain('allowReserved is not allowed with in: header');
    const hdr = await analyseCorpus(path.join(corpusEdge, 'oai-schema-tests/v3.1/fail'), 'header-object-allowReserved.yaml');
    expect(hdr.valid).toBe(false);
  });

  it('checks Schema Objects against the 3.1 dialect unless the document declares another', async () => {
    const bad = await analyseFiles({ 'a.yaml': `${head31}components:\n  schemas:\n    A: {type: {type: string}}\n` }, 'a.yaml');
    expect(bad.valid).toBe(false);
    const dialect = await analyseCorpus(path.join(corpusEdge, 'oai-schema-tests/v3.1/pass'), 'json_schema_dialect.yaml');
    expect(errors(dialect)).toEqual([]);
  });

  it('accepts a $ref with summary and description where the target has no summary', async () => {
    const s = await analyseCorpus(path.join(corpusEdge, 'oai-schema-tests/v3.1/pass'), 'path_item_servers_parameters.yaml');
    expect(errors(s)).toEqual([]);
    expect(s.operations.length).toBe(7);
  });
});

describe('OpenAPI 3.2', () => {
  it('goes through the 3.2 schema (swagger-parser refuses the version)', async () => {
    const ok = await analyseFiles({ 'a.yaml': "openapi: 3.2.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    query:\n      responses: {default: {description: ok}}\n" }, 'a.yaml');
    expect(errors(ok)).toEqual([]);
    expect(ok.operations.map((o) => o.method)).toEqual(['QUERY']);
    const bad = await analyseFiles({ 'a.yaml': "openapi: 3.2.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      nonsense: 1\n      responses: {default: {description: ok}}\n" }, 'a.yaml');
    expect(bad.valid).toBe(false);
    expect(errors(bad)[0].message).toContain('OpenAPI 3.2 schema');
  });

  it('rejects header names that are not HTTP tokens, and allowReserved with style cookie', async () => {
    for (const f of ['header-object-name.yaml', 'parameter-object-header-name.yaml', 'parameter-object-cookie-allowReserved.yaml', 'parameter-object-header-allowReserved.yaml']) {
      const s = await analyseCorpus(path.join(corpusEdge, 'oai-schema-tests/v3.2/fail'), f);
      expect([f, s.valid]).toEqual([f, false]);
    }
    const form = await analyseCorpus(path.join(corpusEdge, 'oai-schema-tests/v3.2/pass'), 'parameter-object-cookie-form-allowReserved.yaml');
    expect(errors(form)).toEqual([]);
  });

  it('accepts a declared non-default JSON Schema dialect', async () => {
    const s = await analyseCorpus(path.join(corpusEdge, 'oai-schema-tests/v3.2/pass'), 'json_schema_dialect.yaml');
    expect(errors(s)).toEqual([]);
  });
});
