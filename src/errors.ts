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
