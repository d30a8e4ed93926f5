import { dedupe } from '../../src/checks/lint.js';
import { sortFindings, type Finding, type Severity } from '../../src/checks/finding.js';

/** What dedupe promises, said the slow way: the first of each file, line, column, rule and message. */
function reference(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = JSON.stringify([f.file, f.line, f.column, f.code, f.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

describe('dedupe', () => {
  it('keeps the first of every repeated finding, on random sorted lists (some crowded on one position)', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const severities: Severity[] = ['error', 'warn', 'info', 'hint'];
    for (let round = 0; round < 200; round++) {
      const crowded = round % 4 === 0;
      const findings: Finding[] = Array.from({ length: 1 + rand(300) }, () => ({
        file: `f${rand(3)}`,
        line: crowded ? 1 : 1 + rand(5),
        column: crowded ? 1 : 1 + rand(3),
        path: [],
        code: `r${rand(crowded ? 30 : 4)}`,
        severity: severities[rand(4)],
        message: `m${rand(crowded ? 20 : 3)}`,
      }));
      const sorted = sortFindings(findings);
      expect(dedupe(sorted)).toEqual(reference(sorted));
    }
  });

  it('keeps findings of names that differ only in Unicode normalisation apart (NFC and NFD spellings of á)', () => {
    const at = (file: string, message: string): Finding => ({ file, line: 1, column: 1, path: [], code: 'r', severity: 'warn', message });
    const findings = sortFindings([at('\u00e1.yaml', 'm'), at('a\u0301.yaml', 'm'), at('\u00e1.yaml', 'm'), at('z.yaml', 'm'), at('a\u0301.yaml', 'm')]);
    expect(dedupe(findings)).toEqual(reference(findings));
    expect(dedupe(findings)).toHaveLength(3);
  });
});
