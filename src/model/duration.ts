/** Durations as people write them in gitway.yaml and on the command line: `500ms`, `90s`, `30m`, `2h`. */
export function parseDuration(text: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h)$/.exec(text.trim());
  return m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms'] : undefined;
}
