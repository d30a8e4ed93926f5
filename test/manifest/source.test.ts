import { isEmptyDocument, parseSource, positionOf, rangeOf, toValue } from '../../src/manifest/source.js';

const parse = (text: string | Buffer, file = 'gateway/x.yaml') => parseSource(file, Buffer.isBuffer(text) ? text : Buffer.from(text));

describe('parseSource', () => {
  it('parses every document of a multi-document file with its index', () => {
    const p = parse('a: 1\n---\nb: 2\n---\nc: 3\n');
    expect(p.findings).toEqual([]);
    expect(p.documents.map((d) => [d.index, d.doc.toJS()])).toEqual([
      [0, { a: 1 }],
      [1, { b: 2 }],
      [2, { c: 3 }],
    ]);
  });

  it('reports a syntax error at its line and column and drops the document', () => {
    const p = parse('kind: Upstream\nspec:\n  targets: [ {url: http://a}\nnext: 1\n');
    expect(p.documents).toEqual([]);
    expect(p.findings).toHaveLength(1);
    expect(p.findings[0]).toMatchObject({ file: 'gateway/x.yaml', line: 4, column: 1, code: 'yaml-syntax', severity: 'error' });
    expect(p.findings[0].message).toMatch(/^YAML syntax error: Flow sequence .* end with a \]$/);
    const tab = parse('a:\n\t- x\n');
    expect(tab.findings[0]).toMatchObject({ line: 2, column: 1, code: 'yaml-syntax', message: 'YAML syntax error: Tabs are not allowed as indentation' });
    const compact = parse('a: b: c\n');
    expect(compact.findings[0]).toMatchObject({ line: 1, column: 4, code: 'yaml-syntax' });
  });

  it('keeps the good documents of a file when one is broken', () => {
    const p = parse('a: 1\n---\nb: [\n---\nc: 3\n');
    expect(p.documents.map((d) => d.index)).toEqual([0, 2]);
    expect(p.findings.map((f) => f.line)).toEqual([4]);
  });

  it('names a duplicate key and where it was first set', () => {
    const p = parse('apiVersion: gitway/v1\nmetadata:\n  name: a\n  labels: {}\n  name: b\n');
    expect(p.findings).toEqual([
      {
        file: 'gateway/x.yaml',
        line: 5,
        column: 3,
        path: [],
        code: 'yaml-duplicate-key',
        severity: 'error',
        message: "duplicate key 'name': it is already set at line 3, column 3; keep one of them",
      },
    ]);
    const second = parse('a: 1\n---\nb: 1\nc: 2\nb: 3\n');
    expect(second.findings[0]).toMatchObject({ line: 5, column: 1, message: "duplicate key 'b': it is already set at line 3, column 1; keep one of them" });
    const flow = parse('x: {k: 1, k: 2}\n');
    expect(flow.findings[0]).toMatchObject({ line: 1, column: 11, message: "duplicate key 'k': it is already set at line 1, column 5; keep one of them" });
  });

  it('reports a binary file without parsing it', () => {
    const p = parse(Buffer.from([0x61, 0x3a, 0x00, 0xff]));
    expect(p.documents).toEqual([]);
    expect(p.findings).toEqual([expect.objectContaining({ line: 1, column: 1, code: 'parse-binary', message: 'gateway/x.yaml is a binary file, not YAML or JSON; exclude it from the manifest globs' })]);
  });

  it('ignores a byte-order mark and reads JSON as YAML', () => {
    const p = parse('\uFEFFa: 1\n');
    expect(p.documents[0].doc.toJS()).toEqual({ a: 1 });
    const j = parse('{\n  "a": [1, 2],\n  "b": {"c": true}\n}\n', 'x.json');
    expect(j.documents[0].doc.toJS()).toEqual({ a: [1, 2], b: { c: true } });
    expect(positionOf(j.documents[0], ['b', 'c'])).toEqual({ line: 3, column: 14 });
  });
});

describe('positionOf / rangeOf', () => {
  const text = 'apiVersion: gitway/v1\nkind: Upstream\nmetadata:\n  name: web\nspec:\n  targets:\n    - url: http://a\n    - url: http://b\n      weight: 5\n  retries:\n';
  const [doc] = parse(text).documents;

  it('points at the value, or at the key when asked', () => {
    expect(positionOf(doc, ['kind'])).toEqual({ line: 2, column: 7 });
    expect(positionOf(doc, ['kind'], true)).toEqual({ line: 2, column: 1 });
    expect(positionOf(doc, ['spec', 'targets', 1, 'weight'])).toEqual({ line: 9, column: 15 });
    expect(positionOf(doc, ['spec', 'targets', 1, 'weight'], true)).toEqual({ line: 9, column: 7 });
    expect(positionOf(doc, ['spec', 'targets', '1', 'url'])).toEqual({ line: 8, column: 12 });
  });

  it('falls back to the deepest node that exists', () => {
    expect(positionOf(doc, ['spec', 'targets', 7, 'url'])).toEqual({ line: 7, column: 5 });
    expect(positionOf(doc, ['metadata', 'labels'])).toEqual({ line: 4, column: 3 });
    expect(positionOf(doc, [])).toEqual({ line: 1, column: 1 });
  });

  it('points at the key of an empty value', () => {
    expect(positionOf(doc, ['spec', 'retries'])).toEqual({ line: 10, column: 3 });
  });

  it('gives the range of a node', () => {
    expect(rangeOf(doc, ['metadata', 'name'])).toEqual({ line: 4, column: 9, endLine: 4, endColumn: 12 });
  });

  it('counts positions inside the second document of a file from the start of the file', () => {
    const docs = parse('a: 1\n---\nb:\n  c: 2\n').documents;
    expect(positionOf(docs[1], ['b', 'c'])).toEqual({ line: 4, column: 6 });
  });
});

describe('toValue', () => {
  it('gives the plain value, aliases expanded', () => {
    const [doc] = parse('base: &b {x: 1}\nuse: *b\n').documents;
    expect(toValue(doc)).toEqual({ value: { base: { x: 1 }, use: { x: 1 } }, findings: [] });
  });

  it('reports an alias with no anchor at the alias', () => {
    const [doc] = parse('a: 1\nb:\n  c: *missing\n').documents;
    const r = toValue(doc);
    expect(r.value).toBeUndefined();
    expect(r.findings).toEqual([expect.objectContaining({ file: 'gateway/x.yaml', line: 3, column: 6, code: 'yaml-alias', message: 'alias *missing names no anchor: define &missing before this line, or write the value here' })]);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [prev, next] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f']]) bomb.push(`${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`);
    const [doc] = parse(bomb.join('\n') + '\n').documents;
    const r = toValue(doc);
    expect(r.value).toBeUndefined();
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0].code).toBe('yaml-alias');
    expect(r.findings[0].message).toContain('uses aliases so many times');
  });
});

describe('isEmptyDocument', () => {
  it('is true for comments only, a bare --- and an explicit null', () => {
    expect(parse('# only a comment\n').documents.every(isEmptyDocument)).toBe(true);
    expect(parse('---\n---\n').documents.every(isEmptyDocument)).toBe(true);
    expect(parse('~\n').documents.every(isEmptyDocument)).toBe(true);
    expect(parse('a: 1\n').documents.every(isEmptyDocument)).toBe(false);
    expect(parse('""\n').documents.every(isEmptyDocument)).toBe(false);
  });
});
