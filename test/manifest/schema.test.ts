import { displayPath, pointerToPath, validateConfigSchema, validateManifestSchema } from '../../src/manifest/schema.js';
import { parseSource, toValue } from '../../src/manifest/source.js';

async function manifestFindings(text: string) {
  const [source] = parseSource('gateway/x.yaml', Buffer.from(text)).documents;
  const value = toValue(source).value as { kind: 'API' | 'Route' | 'Upstream' | 'Policy' | 'Consumer' };
  return validateManifestSchema(source, value.kind, value);
}

const upstream = (spec: string) => `apiVersion: gitway/v1\nkind: Upstream\nmetadata:\n  name: web\nspec:\n${spec}`;

describe('manifest schema findings', () => {
  it('accepts a valid manifest', async () => {
    expect(await manifestFindings(upstream('  targets:\n    - url: http://a:80\n      weight: 2\n  retries: 3\n'))).toEqual([]);
  });

  it('puts a wrong type at the value and says what it got', async () => {
    const f = await manifestFindings(upstream('  targets:\n    - url: http://a\n  retries: "three"\n'));
    expect(f).toEqual([{ file: 'gateway/x.yaml', line: 8, column: 12, path: ['spec', 'retries'], code: 'manifest-schema', severity: 'error', message: 'spec.retries must be an integer, not the string "three"' }]);
  });

  it('puts an unknown field at its key and lists the allowed ones', async () => {
    const f = await manifestFindings(upstream('  targets:\n    - url: http://a\n      wieght: 1\n'));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ line: 8, column: 7, path: ['spec', 'targets', 0, 'wieght'] });
    expect(f[0].message).toBe("unknown field 'wieght' in spec.targets[0] (allowed: url, weight)");
  });

  it('puts a missing required field at the map that lacks it', async () => {
    const f = await manifestFindings(upstream('  retries: 1\n'));
    expect(f).toEqual([expect.objectContaining({ line: 6, column: 3, message: "spec is missing the required field 'targets'" })]);
  });

  it('explains enums, patterns and limits in words', async () => {
    const f = await manifestFindings(upstream('  targets:\n    - url: ftp://a\n  loadBalancing:\n    policy: fastest\n  healthCheck:\n    interval: soon\n  retries: -1\n'));
    const byPath = Object.fromEntries(f.map((x) => [displayPath(x.path), `${x.line}:${x.column} ${x.message}`]));
    expect(byPath['spec.targets[0].url']).toMatch(/^7:12 spec.targets\[0\].url "ftp:\/\/a" is not valid/);
    expect(byPath['spec.loadBalancing.policy']).toBe('9:13 spec.loadBalancing.policy must be one of: "round-robin", "least-connections", "ip-hash", "random", "header", "cookie"');
    expect(byPath['spec.healthCheck.interval']).toBe('11:15 spec.healthCheck.interval "soon" is not valid: A duration such as 500ms, 10s, 1m.');
    expect(byPath['spec.retries']).toMatch(/^12:12 spec.retries must be at least 0, not -1$/);
  });

  it('reports a bad metadata name with the rule it breaks', async () => {
    const [source] = parseSource('gateway/x.yaml', Buffer.from('apiVersion: gitway/v1\nkind: Policy\nmetadata:\n  name: Bad_Name\nspec:\n  cors: {}\n')).documents;
    const f = await validateManifestSchema(source, 'Policy', toValue(source).value);
    expect(f.find((x) => x.path.join('.') === 'metadata.name')).toMatchObject({ line: 4, column: 9, message: 'metadata.name "Bad_Name" is not valid: Lower-case letters, digits and dashes; the entity\'s identity.' });
  });
});

describe('config schema findings', () => {
  async function configFindings(text: string) {
    const [source] = parseSource('gitway.yaml', Buffer.from(text)).documents;
    return validateConfigSchema(source, toValue(source).value);
  }

  it('points at the value of a bad driver and the key of an unknown field', async () => {
    const f = await configFindings('environments:\n  local:\n    driver: nginx\n    file: x.json\n    colour: red\n');
    expect(f.map((x) => `${x.line}:${x.column} ${x.code} ${x.message}`).sort()).toEqual([
      '3:13 config-schema environments.local.driver must be one of: "caddy", "kong", "apisix", "traefik"',
      "5:5 config-schema unknown field 'colour' in environments.local (allowed: driver, file, admin, listen, proxy, token, tls, timeoutSeconds, vars)",
    ]);
  });

  it('says that environments needs an entry', async () => {
    const f = await configFindings('environments: {}\n');
    expect(f).toEqual([expect.objectContaining({ line: 1, column: 15, message: 'environments needs at least 1 entry' })]);
  });
});

describe('pointers and paths', () => {
  it('turns JSON pointers into paths and paths into words', () => {
    expect(pointerToPath('')).toEqual([]);
    expect(pointerToPath('/spec/targets/0/url')).toEqual(['spec', 'targets', 0, 'url']);
    expect(pointerToPath('/paths/~1pets~1{id}/get/x~0y')).toEqual(['paths', '/pets/{id}', 'get', 'x~y']);
    expect(displayPath(['spec', 'targets', 0, 'url'])).toBe('spec.targets[0].url');
    expect(displayPath(['headers', 'X-Api-Key'])).toBe('headers.X-Api-Key');
    expect(displayPath(['paths', '/pets'])).toBe('paths["/pets"]');
    expect(displayPath([])).toBe('(document)');
  });
});
