/**
 * Expected failures: typed errors carrying the exit code of PRODUCT.md and a hint for the user.
 * Anything that is not a GitwayError is a bug (shown with a stack only under --debug).
 */
export const ExitCode = {
  ok: 0,
  findings: 1,
  changes: 2,
  badInput: 3,
  gateway: 4,
  unrestored: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class GitwayError extends Error {
  readonly exitCode: ExitCode;
  readonly hint?: string;
  constructor(message: string, options: { exitCode: ExitCode; hint?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode;
    this.hint = options.hint;
  }
}

/** Bad usage: an unknown flag, a missing environment, an unusable argument. Exit 3. */
export class UsageError extends GitwayError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.badInput, hint });
  }
}

/** gitway.yaml missing or unusable as a whole. Exit 3. */
export class ConfigError extends GitwayError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.badInput, hint, cause });
  }
}

/** A git revision that does not exist, a repository that is not one. Exit 3. */
export class RevisionError extends GitwayError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.badInput, hint, cause });
  }
}

/** A file that cannot be read from the tree (missing, outside the repository). Exit 3. */
export class TreeReadError extends GitwayError {
  readonly path: string;
  constructor(path: string, message: string, hint?: string) {
    super(message, { exitCode: ExitCode.badInput, hint });
    this.path = path;
  }
}

/** The gateway (or its target file) cannot be reached, refuses, or holds something gitway cannot use. Exit 4. */
export class GatewayError extends GitwayError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.gateway, hint, cause });
  }
}

/** The desired state cannot be compiled for the driver: a policy it cannot enforce, an unusable value. Exit 3. */
export class CompileError extends GitwayError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.badInput, hint });
  }
}

/** Two APIs or Routes claim the same host + method + path. Exit 3. */
export class RouteConflictError extends GitwayError {
  readonly conflicts: string[];
  constructor(conflicts: string[]) {
    super(
      conflicts.length === 1 ? `route conflict: ${conflicts[0]}` : `${conflicts.length} route conflicts:\n  ${conflicts.join('\n  ')}`,
      { exitCode: ExitCode.badInput, hint: 'Give one of them another path, host or method, or remove one.' },
    );
    this.conflicts = conflicts;
  }
}

/** A plan file that cannot be applied here: unreadable, truncated, edited, another format or environment, or a desired state that no longer matches. Exit 3. */
export class PlanFileError extends GitwayError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.badInput, hint });
  }
}

/** The live state changed since the plan was made. Exit 3; nothing is written. */
export class StalePlanError extends GitwayError {
  constructor(message: string, hint = 'Run `gitway plan` again, review the new plan, and apply that one.') {
    super(message, { exitCode: ExitCode.badInput, hint });
  }
}

/** An apply that did not happen or did not hold, with the previous state serving again (checked by reading it back). Exit 1. */
export class ApplyFailedError extends GitwayError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.findings, hint, cause });
  }
}

/** An apply that failed and whose previous state could NOT be put back: the message says what is live. Exit 5. */
export class UnrestoredError extends GitwayError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.unrestored, hint, cause });
  }
}

/** The repository has errors (findings), so no desired state can be built from it. Exit 3. */
export class InvalidProjectError extends GitwayError {
  readonly findings: import('./checks/finding.js').Finding[];
  readonly source: string;
  constructor(findings: import('./checks/finding.js').Finding[], source: string, options: { what?: string; hint?: string } = {}) {
    const errors = findings.filter((f) => f.severity === 'error').length;
    super(`${source} has ${errors} error${errors === 1 ? '' : 's'}, so ${options.what ?? 'there is no desired state to plan from'}`, { exitCode: ExitCode.badInput, hint: options.hint ?? 'Fix them (see above, or run `gitway validate`), then try again.' });
    this.findings = findings;
    this.source = source;
  }
}
