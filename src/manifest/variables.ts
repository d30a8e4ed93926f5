/**
 * `${var.NAME}` (from the environment's `vars`) and `${env.NAME}` (from the process environment)
 * substitution. A missing variable is an error naming it, never an empty string. Anything that came
 * from `${env...}` is sensitive: its path is recorded and its value joins the run's secrets, so
 * every output can redact it.
 */
import type { JsonPath } from './source.js';

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const NAME = /^(var|env)\.([A-Za-z_][A-Za-z0-9_]*)$/;

export interface VariableScope {
  environment: string;
  /**
   * The environment's vars, already resolved; a sensitive var carries its flag, and one that could
   * not be resolved says where it is written (its own problem is reported there).
   */
  vars: Record<string, { value: string; sensitive: boolean; broken?: string }>;
  env: NodeJS.ProcessEnv;
}

export interface SubstitutionProblem {
  path: JsonPath;
  message: string;
  code: 'variable-missing' | 'variable-syntax';
}

export interface Substituted<T> {
  value: T;
  /** Paths of values that hold a sensitive value. */
  sensitive: JsonPath[];
  /** The sensitive values themselves (for redaction). */
  secrets: string[];
  problems: SubstitutionProblem[];
}

export function substitute<T>(input: T, scope: VariableScope, base: JsonPath = []): Substituted<T> {
  const result: Substituted<T> = { value: input, sensitive: [], secrets: [], problems: [] };
  result.value = walk(input, base, scope, result) as T;
  return result;
}

function walk(value: unknown, path: JsonPath, scope: VariableScope, out: Substituted<unknown>): unknown {
  if (typeof value === 'string') return substituteString(value, path, scope, out);
  if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i], scope, out));
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = walk(v, [...path, k], scope, out);
    return copy;
  }
  return value;
}

function substituteString(text: string, path: JsonPath, scope: VariableScope, out: Substituted<unknown>): string {
  if (!text.includes('${')) return text;
  let sensitive = false;
  const replaced = text.replace(REFERENCE, (whole: string, inner: string | undefined) => {
    if (whole === '$${') return '${';
    if (whole === '${') {
      out.problems.push({ path, code: 'variable-syntax', message: `'\${' is not closed: write \${var.NAME} or \${env.NAME} with a closing }, or $\${ for a literal \${` });
      return whole;
    }
    const ref = (inner ?? '').trim();
    const m = NAME.exec(ref);
    if (!m) {
      out.problems.push({ path, code: 'variable-syntax', message: `'\${${inner}}' is not a variable reference: write \${var.NAME} or \${env.NAME} (or $\${ for a literal \${)` });
      return whole;
    }
    const [, namespace, name] = m;
    if (namespace === 'env') {
      const v = scope.env[name];
      if (v === undefined) {
        out.problems.push({ path, code: 'variable-missing', message: `environment variable ${name} is not set (used as \${env.${name}})` });
        return whole;
      }
      sensitive = true;
      if (v) out.secrets.push(v);
      return v;
    }
    const v = scope.vars[name];
    if (v === undefined) {
      out.problems.push({ path, code: 'variable-missing', message: `variable ${name} is not defined in the vars of environment '${scope.environment}' (used as \${var.${name}})` });
      return whole;
    }
    if (v.broken !== undefined) {
      out.problems.push({ path, code: 'variable-missing', message: `variable ${name} of environment '${scope.environment}' could not be resolved (see ${v.broken}), so \${var.${name}} has no value` });
      return whole;
    }
    if (v.sensitive) {
      sensitive = true;
      if (v.value) out.secrets.push(v.value);
    }
    return v.value;
  });
  if (sensitive) out.sensitive.push(path);
  return replaced;
}

/** True when the string is exactly one `${env.NAME}` reference (how a secret must be written). */
export function isEnvReference(text: unknown): boolean {
  return typeof text === 'string' && /^\$\{env\.[A-Za-z_][A-Za-z0-9_]*\}$/.test(text.trim());
}
