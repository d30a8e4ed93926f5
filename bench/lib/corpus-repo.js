// The corpus/oas repository that corpus-oas.js, lint.js and lint-staged.js measure: the documents
// of corpus/oas copied (at bench time, into a folder under os.tmpdir(), never into the project) to
// apis/, a generated gitway.yaml, and gateway/apis.yaml with one Upstream and one API manifest per
// document (doc-001, doc-002, … in the order of `rows`).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { corpus } from './util.js';

export const corpusOas = path.join(corpus, 'oas');

/**
 * Writes the repository into `repo` (an existing, empty folder). `rows` are rows of a corpus/oas
 * TSV (INDEX.tsv or validate.tsv: each has `file`); `timeoutS` goes to openapi.timeoutSeconds,
 * `ruleTimeoutS` (when given) to lint.ruleTimeoutSeconds.
 * Returns the rows with `doc` (the document's path in the repository) and `name` (its API's name).
 */
export function writeCorpusRepository(repo, rows, { timeoutS = 120, ruleTimeoutS } = {}) {
  mkdirSync(path.join(repo, 'apis'));
  mkdirSync(path.join(repo, 'gateway'));
  const docs = rows.map((row, i) => {
    copyFileSync(path.join(corpusOas, row.file), path.join(repo, 'apis', row.file));
    return { ...row, doc: `apis/${row.file}`, name: `doc-${String(i + 1).padStart(3, '0')}` };
  });
  writeFileSync(
    path.join(repo, 'gitway.yaml'),
    `apiVersion: gitway/v1\nmanifests:\n  - gateway/*.yaml\nopenapi:\n  timeoutSeconds: ${timeoutS}\n${ruleTimeoutS ? `lint:\n  ruleTimeoutSeconds: ${ruleTimeoutS}\n` : ''}environments:\n  local:\n    driver: caddy\n    file: .gitway/local/caddy.json\n`,
  );
  const manifests = [
    'apiVersion: gitway/v1\nkind: Upstream\nmetadata:\n  name: backend\nspec:\n  targets:\n    - url: http://127.0.0.1:9001\n',
    ...docs.map((d) => `apiVersion: gitway/v1\nkind: API\nmetadata:\n  name: ${d.name}\nspec:\n  openapi: ${JSON.stringify(d.doc)}\n  upstream: backend\n`),
  ];
  writeFileSync(path.join(repo, 'gateway/apis.yaml'), manifests.join('---\n'));
  return docs;
}
