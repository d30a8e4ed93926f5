/**
 * YAML (and JSON, a subset of it) parsed with source positions, so every finding can name the file,
 * line and column it comes from.
 */
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Document, type Node } from 'yaml';
import type { Finding, Severity } from '../checks/finding.js';
import { looksBinary } from '../workspace/tree.js';

export type JsonPath = (string | number)[];

export interface SourceDocument {
  file: string;
  /** Index of the document in a multi-document file, from 0. */
  index: number;
  doc: Document.Parsed;
  lines: LineCounter;
}

export interface ParsedSource {
  file: string;
  documents: SourceDocument[];
  findings: Finding[];
}

export function finding(file: string, pos: { line: number; column: number }, code: string, message: string, path: JsonPath = [], severity: Severity = 'error'): Finding {
  return { file, line: pos.line, column: pos.column, path, code, severity, message };
}

/**
 * Parses a YAML or JSON file into its documents. Syntax errors and duplicate keys become findings;
 * a document that has errors is left out of `documents` (nothing half-parsed goes further).
 */
export function parseSource(file: string, bytes: Buffer): ParsedSource {
  if (looksBinary(bytes)) {
    return { file, documents: [], findings: [finding(file, { line: 1, column: 1 }, 'parse-binary', `${file} is a binary file, not YAML or JSON; exclude it from the manifest globs`)] };
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  const findings: Finding[] = [];
  const documents: SourceDocument[] = [];
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    // an EmptyStream: a file with nothing but comments or blanks
  }
  list.forEach((doc, index) => {
    for (const err of doc.errors) {
      const at = lines.linePos(err.pos[0]);
      if (err.code === 'DUPLICATE_KEY') {
        findings.push(finding(file, { line: at.line, column: at.col }, 'yaml-duplicate-key', duplicateKeyMessage(doc, err.pos[0], lines)));
      } else {
        findings.push(finding(file, { line: at.line, column: at.col }, 'yaml-syntax', `YAML syntax error: ${firstLine(err.message)}`));
      }
    }
    if (doc.errors.length === 0) documents.push({ file, index, doc, lines });
  });
  return { file, documents, findings };
}

/** Names the repeated key and where it was first written (the parser only says that keys must be unique). */
function duplicateKeyMessage(doc: Document.Parsed, offset: number, lines: LineCounter): string {
  let message = 'duplicate key: a key appears twice in the same map; keep one of them';
  visit(doc, {
    Map(_, map) {
      const index = map.items.findIndex((p) => isNode(p.key) && p.key.range?.[0] === offset);
      if (index < 0) return undefined;
      const key = map.items[index].key;
      const name = isScalar(key) ? String(key.value) : String(key);
      const first = map.items.slice(0, index).find((p) => isScalar(p.key) && String(p.key.value) === name)?.key as Node | undefined;
      const at = first?.range ? lines.linePos(first.range[0]) : undefined;
      message = `duplicate key '${name}'${at ? `: it is already set at line ${at.line}, column ${at.col}` : ''}; keep one of them`;
      return visit.BREAK;
    },
  });
  return message;
}

/**
 * The plain value of a parsed document. An alias to an anchor that does not exist, or more aliases
 * than a real file needs (a "billion laughs" bomb), is a finding, not a crash.
 */
export function toValue(source: SourceDocument): { value: unknown; findings: Finding[] } {
  try {
    return { value: source.doc.toJS({ maxAliasCount: 100 }), findings: [] };
  } catch (err) {
    const findings: Finding[] = [];
    visit(source.doc, {
      Alias(_, node) {
        if (!node.resolve(source.doc)) {
          const pos = source.lines.linePos(node.range?.[0] ?? 0);
          findings.push(finding(source.file, { line: pos.line, column: pos.col }, 'yaml-alias', `alias *${node.source} names no anchor: define &${node.source} before this line, or write the value here`));
        }
      },
    });
    if (findings.length === 0) {
      const message = /alias count/i.test((err as Error).message)
        ? 'uses aliases so many times that reading it would exhaust memory (more than 100 expansions); write the values out'
        : `cannot be read: ${firstLine((err as Error).message)}`;
      const pos = source.lines.linePos(source.doc.range?.[0] ?? 0);
      findings.push(finding(source.file, { line: pos.line, column: pos.col }, 'yaml-alias', `document ${source.index + 1} of ${source.file} ${message}`));
    }
    return { value: undefined, findings };
  }
}

/** True when a document holds nothing (only comments, or a bare `---`). */
export function isEmptyDocument(source: SourceDocument): boolean {
  const c = source.doc.contents;
  return c === null || (isScalar(c) && (c.value === null || c.value === undefined) && !c.tag);
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** The node at a JSON path, or the deepest ancestor that exists. */
export function nodeAt(doc: Document.Parsed, path: JsonPath): { node: Node | null; keyNode?: Node; exact: boolean } {
  let node: unknown = doc.contents;
  let keyNode: Node | undefined;
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) return { node: node as Node, exact: false };
      keyNode = isNode(pair.key) ? pair.key : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number' || isSeq(node) && /^\d+$/.test(String(step))) {
      const item = (node as { items: unknown[] }).items[Number(step)];
      if (!isNode(item)) return { node: node as Node, exact: false };
      keyNode = undefined;
      node = item;
    } else {
      return { node: isNode(node) ? node : null, exact: false };
    }
    // an empty value (`retries:`) has a zero-width node just after the colon: point at its key instead
    const empty = node === null || node === undefined || (isScalar(node) && node.value === null && node.range != null && node.range[0] === node.range[1]);
    if (empty) return { node: keyNode ?? null, keyNode, exact: i === path.length - 1 };
  }
  return { node: isNode(node) ? node : null, keyNode, exact: true };
}

/** Line and column (1-based) of the node at a path; the key when `onKey` and it has one. */
export function positionOf(source: SourceDocument, path: JsonPath, onKey = false): { line: number; column: number } {
  const { node, keyNode } = nodeAt(source.doc, path);
  const target = onKey && keyNode ? keyNode : node;
  const offset = target?.range?.[0] ?? source.doc.range?.[0] ?? 0;
  const pos = source.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** The range (1-based start and end) of the node at a path. */
export function rangeOf(source: SourceDocument, path: JsonPath, onKey = false): { line: number; column: number; endLine: number; endColumn: number } {
  const { node, keyNode } = nodeAt(source.doc, path);
  const target = onKey && keyNode ? keyNode : node;
  const [start, end] = target?.range ?? [source.doc.range?.[0] ?? 0, source.doc.range?.[0] ?? 0];
  const a = source.lines.linePos(start);
  const b = source.lines.linePos(end);
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}
