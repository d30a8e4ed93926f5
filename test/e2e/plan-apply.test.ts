import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { caddyTitle, caddyValidate, describeWithCaddy } from '../helpers/caddy.js';
import { git, gitway, projectRoot, tempRepo, type CliResult } from '../helpers/cli.js';

const SECRET = 'planted-secret-9c1e77';
const env = { SHOP_WEB_KEY: SECRET };
const TARGET = '.gitway/local/caddy.json';

/** fixtures/shop in a fresh git repository with one commit. */
function shopRepo() {
  const repo = tempRepo({ '.gitignore': '.gitway/\n*.plan.json\n' });
  cpSync(path.join(projectRoot, 'fixtures/shop'), repo.dir, { recursive: true });
  git(repo.dir, 'init', '-q');
  git(repo.dir, 'add', '-A');
  git(repo.dir, 'commit', '-qm', 'shop');
  return repo;
}

describe('plan, apply, plan again on the file target', () => {
  let repo: ReturnType<typeof tempRepo>;
  const outputs: CliResult[] = [];
  const run = (args: string[], extraEnv: Record<string, string | undefined> = {}) => {
    const r = gitway(args, { cwd: repo.dir, env: { ...env, ...extraEnv } });
    outputs.push(r);
    return r;
  };
  const target = () => path.join(repo.dir, TARGET);
  beforeAll(() => {
    repo = shopRepo();
  });
  afterAll(() => repo.cleanup());

  it('plans everything, applies it, then has no changes', () => {
    const first = run(['plan', '--detailed-exitcode']);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(2);
    expect(first.stdout).toContain("Plan for environment 'local' (caddy, file .gitway/local/caddy.json)\n");
    expect(first.stdout).toContain('  + route orders:/orders/{orderId}\n');
    expect(first.stdout).toContain('      + credentials: [{"type":"key","key":"(sensitive)"}]\n');
    expect(first.stdout).toMatch(/\nPlan: 13 to add, 0 to change, 0 to destroy\.\n$/);

    const noTty = run(['apply']);
    expect(noTty.status).toBe(3);
    expect(noTty.stderr).toContain('refusing to apply without confirmation: there is no terminal to ask on; nothing was written');
    expect(existsSync(target())).toBe(false);

    const apply = run(['apply', '--yes']);
    expect(apply.status).toBe(0);
    expect(apply.stdout).toContain("Apply complete: 13 added, 0 changed, 0 destroyed (environment 'local', .gitway/local/caddy.json).\n");
    expect(statSync(target()).mode & 0o777).toBe(0o600);

    const again = run(['plan', '--detailed-exitcode']);
    expect(again.status).toBe(0);
    const head = git(repo.dir, 'rev-parse', 'HEAD').trim().slice(0, 7);
    expect(again.stdout).toBe(`No changes. Environment 'local' matches the working tree at ${head}.\n`);
  });

  it('shows a manifest change field by field, and --detailed-exitcode says 2', () => {
    const file = path.join(repo.dir, 'gateway/upstreams.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('retries: 2', 'retries: 4'));
    const r = run(['plan', '--detailed-exitcode']);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('with uncommitted changes\n\n  ~ upstream orders\n      ~ retries: 2 → 4\n\nPlan: 0 to add, 1 to change, 0 to destroy.\n');
    const md = run(['plan', '--format', 'markdown']);
    expect(md.stdout).toContain('| ~ | upstream | `orders` | retries |');
    const json = JSON.parse(run(['plan', '--format', 'json']).stdout) as { formatVersion: number; desired: { source: string; dirty: boolean }; changes: { action: string; kind: string; name: string; fields: unknown[] }[] };
    expect(json.formatVersion).toBe(1);
    expect(json.desired).toMatchObject({ source: 'worktree', dirty: true });
    expect(json.changes).toEqual([expect.objectContaining({ action: 'update', kind: 'upstream', name: 'orders', fields: [{ path: 'retries', before: 2, after: 4 }] })]);
  });

  it('refuses saved plans that are truncated, edited, foreign, stale, or whose desired state changed, writing nothing', () => {
    const planFile = path.join(repo.dir, 'a.plan.json');
    expect(run(['plan', '--out', 'a.plan.json', '-q']).status).toBe(0);
    const text = readFileSync(planFile, 'utf8');
    const bytes = readFileSync(target());
    const refused = (file: string, content: string, message: RegExp, extraEnv: Record<string, string | undefined> = {}, args: string[] = []) => {
      writeFileSync(path.join(repo.dir, file), content);
      const r = run(['apply', file, ...args], extraEnv);
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(3);
      expect(readFileSync(target()).equals(bytes)).toBe(true);
    };
    refused('truncated.plan.json', text.slice(0, 200), /is not a complete plan file/);
    refused('edited.plan.json', text.replace('"after": 4', '"after": 5'), /was changed after gitway wrote it/);
    refused('format.plan.json', text.replace('"formatVersion": 1', '"formatVersion": 99'), /is a plan of format 99/);
    refused('foreign.plan.json', text, /is a plan for environment 'local', not 'staging'/, {}, ['--env', 'staging']);
    refused('secret.plan.json', text, /the desired state no longer compiles to what secret.plan.json promises/, { SHOP_WEB_KEY: 'another-key-value' });

    // stale: the live file moved after the plan was made
    const staleText = text;
    const live = JSON.parse(readFileSync(target(), 'utf8')) as { apps: { http: { servers: { gitway: { listen: string[] } } } } };
    live.apps.http.servers.gitway.listen = [':9090'];
    writeFileSync(target(), JSON.stringify(live, null, 2));
    const moved = readFileSync(target());
    writeFileSync(planFile, staleText);
    const stale = run(['apply', 'a.plan.json']);
    expect(stale.status).toBe(3);
    expect(stale.stderr).toMatch(/the live state of environment 'local' changed since a\.plan\.json was made \(the newest deployment on it: apply applied by .+\); nothing was applied/);
    expect(readFileSync(target()).equals(moved)).toBe(true);

    // the plan made now applies, exactly
    expect(run(['plan', '--out', 'b.plan.json', '-q']).status).toBe(0);
    const ok = run(['apply', 'b.plan.json']);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/^Apply complete: 0 added, 2 changed, 0 destroyed \(environment 'local', \.gitway\/local\/caddy\.json\)\.\nVerified: the gateway holds the desired state\. Recorded as deployment [0-9a-f]{16} of commit [0-9a-f]{7} with uncommitted changes by .+\.\n$/);
    expect(run(['plan']).stdout).toMatch(/^No changes\./);
  });

  it('compares two commits and two environments offline', () => {
    git(repo.dir, 'commit', '-qam', 'more retries');
    const r = run(['diff', 'HEAD~1', 'HEAD']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('  ~ upstream orders\n      ~ retries: 2 → 4\n');
    expect(r.stdout).toContain('Diff: 0 to add, 1 to change, 0 to destroy.');
    expect(run(['diff', 'HEAD']).stdout).toMatch(/^No changes between commit \w{7} \(HEAD\) and the working tree at \w{7}\./);
    const parity = run(['diff', '--env', 'local', '--env', 'staging']);
    expect(parity.stdout).toBe("No changes between environment 'local' and environment 'staging'.\nNote: 2 fields differ only through declared variables (orders_upstream, pets_upstream); --all shows them\n");
    const all = run(['diff', '--env', 'local', '--env', 'staging', '--all']);
    expect(all.stdout).toContain('  ~ upstream orders\n      ~ targets[0].url: "http://127.0.0.1:9101" → "http://127.0.0.1:9201"\n');
  });

  it('renders the native config with secrets redacted on stdout and real in --output (mode 0600)', () => {
    const r = run(['render']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('"@id": "gitway:root"');
    expect(r.stdout).toContain('"(sensitive)"');
    const out = run(['render', '--output', 'out/caddy.json']);
    expect(out.stderr).toContain("Wrote caddy config for environment 'local' to out/caddy.json (mode 0600; it holds secret values).");
    const written = readFileSync(path.join(repo.dir, 'out/caddy.json'), 'utf8');
    expect(written).toContain(SECRET);
    expect(statSync(path.join(repo.dir, 'out/caddy.json')).mode & 0o777).toBe(0o600);
  });

  it('never shows the planted secret in any output or plan file', () => {
    for (const r of outputs) {
      expect(r.stdout).not.toContain(SECRET);
      expect(r.stderr).not.toContain(SECRET);
    }
    for (const f of ['a.plan.json', 'b.plan.json']) expect(readFileSync(path.join(repo.dir, f), 'utf8')).not.toContain(SECRET);
    expect(outputs.length).toBeGreaterThan(15);
  });
});

describe('plan refusals', () => {
  it('refuses two APIs claiming the same route, naming both positions (exit 3)', () => {
    const repo = shopRepo();
    try {
      writeFileSync(
        path.join(repo.dir, 'gateway/more.yaml'),
        'apiVersion: gitway/v1\nkind: API\nmetadata:\n  name: orders-copy\nspec:\n  openapi: apis/orders.yaml\n  basePath: /orders\n  hosts: [api.example.com]\n  upstream: orders\n',
      );
      const r = gitway(['plan'], { cwd: repo.dir, env });
      expect(r.status).toBe(3);
      expect(r.stderr).toContain(
        "gitway: 2 route conflicts:\n  GET,POST api.example.com/orders/orders is claimed by API 'orders-copy' (gateway/more.yaml:4:9, GET,POST /orders/orders) and by API 'orders' (gateway/apis.yaml:4:9, GET,POST /orders/orders)\n",
      );
    } finally {
      repo.cleanup();
    }
  });

  it('refuses a policy Caddy cannot enforce, naming policy and driver (exit 3)', () => {
    const repo = shopRepo();
    try {
      const file = path.join(repo.dir, 'gateway/policies.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('requestSizeLimit: { maxBytes: 1048576 }', 'rateLimit: { minute: 100 }'));
      const r = gitway(['plan'], { cwd: repo.dir, env });
      expect(r.status).toBe(3);
      expect(r.stderr).toContain("gitway: policy 'max-body' (rateLimit) cannot be enforced by driver caddy: stock Caddy 2.6 has no rate-limit handler.");
    } finally {
      repo.cleanup();
    }
  });
});

describeWithCaddy(caddyTitle('rendered configs in the real `caddy validate`'), () => {
  it('accepts fixtures/shop for every environment with a file target', () => {
    const repo = shopRepo();
    try {
      const r = gitway(['render', '--output', 'shop.json'], { cwd: repo.dir, env });
      expect(r.status).toBe(0);
      const v = caddyValidate(readFileSync(path.join(repo.dir, 'shop.json'), 'utf8'));
      expect(v.output).toContain('Valid configuration');
    } finally {
      repo.cleanup();
    }
  });

  it('accepts the gitway init scaffold', () => {
    const repo = tempRepo({});
    try {
      expect(gitway(['init'], { cwd: repo.dir }).status).toBe(0);
      const r = gitway(['render'], { cwd: repo.dir });
      expect(r.status).toBe(0);
      expect(caddyValidate(r.stdout).ok).toBe(true);
    } finally {
      repo.cleanup();
    }
  });
});
