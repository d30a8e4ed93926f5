/**
 * gitway.yaml: where the manifests live, the ruleset, and the environments. Read from the Tree, so
 * `--rev` uses the configuration as it was in that commit.
 */
import path from 'node:path';
import type { Finding } from '../checks/finding.js';
import { ConfigError, UsageError } from '../errors.js';
import type { Tree } from '../workspace/tree.js';
import { validateConfigSchema } from './schema.js';
import { finding, isEmptyDocument, parseSource, positionOf, toValue, type SourceDocument } from './source.js';
import { substitute, type VariableScope } from './variables.js';

import { CONFIG_FILE } from './root.js';
export { CONFIG_FILE, locateRoot } from './root.js';
export const DEFAULT_MANIFEST_GLOBS = ['gateway/**/*.yaml', 'gateway/**/*.yml'];
export const DEFAULT_OPENAPI_TIMEOUT_S = 30;

export type Driver = 'caddy' | 'kong' | 'apisix' | 'traefik';

export interface RawEnvironment {
  driver: Driver;
  file?: string;
  admin?: string;
  /** Listen address(es) of the gateway's server for gitway's routes (default :8080). */
  listen?: string | string[];
  proxy?: string;
  token?: string;
  tls?: { ca?: string; cert?: string; key?: string; insecure?: boolean };
  /** Time bound of one admin API request, in seconds (default 30). */
  timeoutSeconds?: number;
  vars?: Record<string, string | number | boolean>;
}

export interface ProjectConfig {
  /** Path of the config file relative to the root. */
  file: string;
  source: SourceDocument;
  manifests: string[];
  ruleset?: string;
  openapiTimeoutMs: number;
  /** lint.ruleTimeoutSeconds, in ms, when set. */
  ruleTimeoutMs?: number;
  defaultEnvironment?: string;
  environments: Record<string, RawEnvironment>;
}

export interface Environment {
  name: string;
  driver: Driver;
  target: { kind: 'file'; file: string } | { kind: 'admin'; url: string };
  /** Listen addresses for gitway's routes, when the environment gives them. */
  listen?: string[];
  proxy?: string;
  /** Admin token, already substituted; sensitive. */
  token?: string;
  tls?: RawEnvironment['tls'];
  /** timeoutSeconds in ms, when set. */
  timeoutMs?: number;
  scope: VariableScope;
  /** Secret values found while resolving the environment (token, vars from ${env...}). */
  secrets: string[];
}

/** Where the project lives on disk: the folder of gitway.yaml (searched upwards from cwd) or of --config. */
export async function loadConfig(tree: Tree, configFile: string): Promise<{ config?: ProjectConfig; findings: Finding[] }> {
  if (!(await tree.exists(configFile))) {
    throw new ConfigError(
      `no ${configFile} in ${path.join(tree.root, configFile === CONFIG_FILE ? '' : path.dirname(configFile))} (read from ${tree.describe()})`,
      tree.source.kind === 'worktree'
        ? 'Run `gitway init` to create one, or point at it with --cwd DIR or --config FILE.'
        : tree.source.kind === 'index'
          ? `Stage it with \`git add ${configFile}\` (or run \`gitway init\` first), or point at it with --cwd DIR or --config FILE.`
          : `Commit a ${configFile} first, or point at it with --cwd DIR or --config FILE.`,
    );
  }
  const parsed = parseSource(configFile, await tree.read(configFile));
  if (parsed.findings.length) return { findings: parsed.findings };
  const source = parsed.documents[0];
  if (!source || parsed.documents.length > 1 || isEmptyDocument(source)) {
    const why = !source || isEmptyDocument(source) ? 'is empty' : 'holds more than one YAML document';
    return { findings: [finding(configFile, { line: 1, column: 1 }, 'config-schema', `${configFile} ${why}; it must be one map with an 'environments' key`)] };
  }
  const read = toValue(source);
  if (read.findings.length) return { findings: read.findings };
  const value = read.value as Record<string, unknown>;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { findings: [finding(configFile, positionOf(source, []), 'config-schema', `${configFile} must be a map with an 'environments' key, not ${Array.isArray(value) ? 'a list' : `the ${typeof value} ${JSON.stringify(value)}`}`)] };
  }
  const findings = await validateConfigSchema(source, value);
  if (findings.length) return { findings };
  const raw = value as {
    manifests?: string[];
    ruleset?: string;
    openapi?: { timeoutSeconds?: number };
    lint?: { ruleTimeoutSeconds?: number };
    defaultEnvironment?: string;
    environments: Record<string, RawEnvironment>;
  };
  for (const [name, env] of Object.entries(raw.environments)) {
    if ((env.file === undefined) === (env.admin === undefined)) {
      findings.push(
        finding(configFile, positionOf(source, ['environments', name], true), 'config-schema', `environment '${name}' needs exactly one target: 'file' (a rendered config) or 'admin' (a live admin API URL)`, ['environments', name]),
      );
    }
  }
  (raw.manifests ?? []).forEach((pattern, i) => {
    const posix = pattern.replace(/\\/g, '/');
    if (posix.startsWith('/') || /^[a-zA-Z]:\//.test(posix) || posix.split('/').includes('..')) {
      findings.push(finding(configFile, positionOf(source, ['manifests', i]), 'config-schema', `manifest pattern ${JSON.stringify(pattern)} leaves the repository; write patterns relative to the folder of ${configFile}, such as gateway/**/*.yaml`, ['manifests', i]));
    }
  });
  if (raw.defaultEnvironment && !raw.environments[raw.defaultEnvironment]) {
    findings.push(finding(configFile, positionOf(source, ['defaultEnvironment']), 'config-schema', `defaultEnvironment '${raw.defaultEnvironment}' is not one of the environments (${Object.keys(raw.environments).join(', ')})`, ['defaultEnvironment']));
  }
  if (findings.length) return { findings };
  return {
    findings,
    config: {
      file: configFile,
      source,
      manifests: raw.manifests ?? DEFAULT_MANIFEST_GLOBS,
      ruleset: raw.ruleset,
      openapiTimeoutMs: (raw.openapi?.timeoutSeconds ?? DEFAULT_OPENAPI_TIMEOUT_S) * 1000,
      ruleTimeoutMs: raw.lint?.ruleTimeoutSeconds === undefined ? undefined : raw.lint.ruleTimeoutSeconds * 1000,
      defaultEnvironment: raw.defaultEnvironment,
      environments: raw.environments,
    },
  };
}

/** Which environment a command runs for: --env, then GITWAY_ENV, then defaultEnvironment, then the only one, then `local`. */
export function pickEnvironment(config: ProjectConfig, requested: string | undefined, env: NodeJS.ProcessEnv): string {
  const names = Object.keys(config.environments);
  const name = requested ?? env.GITWAY_ENV ?? config.defaultEnvironment ?? (names.length === 1 ? names[0] : names.includes('local') ? 'local' : undefined);
  if (name === undefined) {
    throw new UsageError(`no environment chosen and ${config.file} has several (${names.join(', ')})`, 'Pass --env NAME or set defaultEnvironment in gitway.yaml.');
  }
  if (!config.environments[name]) {
    throw new UsageError(`environment '${name}' is not defined in ${config.file} (defined: ${names.join(', ')})`, 'Pass --env with one of the defined environments, or add it under environments: in gitway.yaml.');
  }
  return name;
}

/** Resolves an environment: its vars (which may use ${env...}) and its token. */
export function resolveEnvironment(config: ProjectConfig, name: string, processEnv: NodeJS.ProcessEnv): { environment: Environment; findings: Finding[] } {
  const raw = config.environments[name];
  const findings: Finding[] = [];
  const secrets: string[] = [];
  const base = ['environments', name];
  const bare: VariableScope = { environment: name, vars: {}, env: processEnv };
  const vars: VariableScope['vars'] = {};
  for (const [key, v] of Object.entries(raw.vars ?? {})) {
    const r = substitute(String(v), bare, [...base, 'vars', key]);
    for (const p of r.problems) findings.push(finding(config.file, positionOf(config.source, p.path), p.code, p.message, p.path));
    secrets.push(...r.secrets);
    const at = positionOf(config.source, [...base, 'vars', key]);
    vars[key] = { value: r.value, sensitive: r.sensitive.length > 0, ...(r.problems.length ? { broken: `${config.file}:${at.line}:${at.column}` } : {}) };
  }
  const scope: VariableScope = { environment: name, vars, env: processEnv };
  const resolved = substitute({ token: raw.token, proxy: raw.proxy, admin: raw.admin, file: raw.file }, scope, base);
  for (const p of resolved.problems) findings.push(finding(config.file, positionOf(config.source, p.path), p.code, p.message, p.path));
  secrets.push(...resolved.secrets);
  // Plain text is judged on how the token is written: `${env.NAME}` is not plain text even when NAME is unset (that is its own finding).
  if (raw.token !== undefined && !/\$\{\s*env\./.test(String(raw.token)) && !resolved.sensitive.some((p) => p[p.length - 1] === 'token')) {
    findings.push(finding(config.file, positionOf(config.source, [...base, 'token']), 'secret-plaintext', `the token of environment '${name}' is written in plain text; write it as \${env.NAME} and set NAME in the environment`, [...base, 'token']));
  }
  // A password inside the admin URL is a secret like the token: from ${env.NAME}, never in plain text.
  const userinfo = /^[a-z]+:\/\/[^/@]*:([^/@]+)@/i.exec(String(raw.admin ?? ''));
  if (userinfo && !/\$\{\s*(env|var)\./.test(userinfo[1])) {
    findings.push(finding(config.file, positionOf(config.source, [...base, 'admin']), 'secret-plaintext', `the admin URL of environment '${name}' holds a password in plain text; write it as \${env.NAME} (http://user:\${env.NAME}@host) or use token:`, [...base, 'admin']));
  }
  const v = resolved.value;
  // admin and proxy may be written with variables, so the schema only sees them whole here
  for (const key of ['admin', 'proxy'] as const) {
    const url = v[key];
    const written = raw[key];
    if (url === undefined || written === undefined || url === written || resolved.problems.some((p) => p.path[p.path.length - 1] === key)) continue;
    if (!/^https?:\/\/[^/?#\s]+/.test(url)) {
      const secret = resolved.sensitive.some((p) => p[p.length - 1] === key);
      findings.push(finding(config.file, positionOf(config.source, [...base, key]), 'config-schema', `the ${key} URL of environment '${name}' is ${secret ? 'a value from the environment' : JSON.stringify(url)} once its variables are substituted, which is not an http:// or https:// URL`, [...base, key]));
    }
  }
  return {
    findings,
    environment: {
      name,
      driver: raw.driver,
      target: v.file !== undefined ? { kind: 'file', file: v.file } : { kind: 'admin', url: v.admin ?? '' },
      listen: raw.listen === undefined ? undefined : Array.isArray(raw.listen) ? [...raw.listen] : [raw.listen],
      proxy: v.proxy,
      token: v.token,
      tls: raw.tls,
      ...(raw.timeoutSeconds !== undefined ? { timeoutMs: raw.timeoutSeconds * 1000 } : {}),
      scope,
      secrets,
    },
  };
}
