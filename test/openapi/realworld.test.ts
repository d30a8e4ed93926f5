import path from 'node:path';
import { analyseCorpus, corpusEdge, errors } from './helpers.js';

const shared = path.resolve(process.cwd(), '../shared/corpus');

describe('real documents', () => {
  it("accepts DigitalOcean's multi-file description (swagger-parser's validate() alone rejects it)", async () => {
    const s = await analyseCorpus(path.join(corpusEdge, 'realworld-external-refs/digitalocean'), 'specification/DigitalOcean-public.v2.yaml');
    expect(errors(s)).toEqual([]);
    expect(s.valid).toBe(true);
    expect(s.operations.length).toBeGreaterThan(600);
    expect(s.files.length).toBeGreaterThan(2000);
  });

  it("reads Twilio's version from line 6,678 (no sniffing of the first lines)", async () => {
    const s = await analyseCorpus(path.join(shared, 'oas'), 'twilio.com__twilio_api_v2010.yaml');
    expect(s.version).toBe('3.0.1');
    expect(s.valid).toBe(true);
  });

  it('validates stripe-spec3 (4.2 MB, 2,074 $refs) in bounded time', async () => {
    const s = await analyseCorpus(path.join(shared, 'large'), 'stripe-spec3.yaml');
    expect(errors(s)).toEqual([]);
    expect(s.operations.length).toBeGreaterThan(400);
    expect(s.ms).toBeLessThan(20_000); // before the view became a tree it ran for over 10 minutes
  });

  it('keeps the verdict of a 3.0 document whose $ref siblings swagger-parser wrongly merges (xero)', async () => {
    const s = await analyseCorpus(path.join(shared, 'oas'), 'xero.com__xero_accounting.json');
    expect(errors(s)).toEqual([]);
  });
});
