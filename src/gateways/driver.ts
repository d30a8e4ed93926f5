/**
 * What every gateway driver provides. The same shape fits the three ways gateways take config:
 * whole-config writers (a Caddy or Kong DB-less file, Caddy's admin API), per-entity writers (Kong
 * DB mode: one admin call per change, in the plan's order, with the snapshot to restore on any
 * error) and live admin APIs (read the live config, write with optimistic concurrency). `compile`
 * is pure; `read`, `write` and `restore` are the only I/O, and only drivers do it.
 */
import type { Driver as DriverName } from '../manifest/config.js';
import type { DesiredState } from '../model/types.js';
import type { Change, Defaults, KeyedEntity } from '../plan/diff.js';
import type { AdminAuth, AdminTls } from './admin-client.js';

/** A target with its file resolved against the repository root, or an admin API with what it takes to talk to it. */
export type ResolvedTarget =
  | { kind: 'file'; file: string; path: string }
  | {
      kind: 'admin';
      url: string;
      /** Sensitive: never shown. */
      token?: string;
      tls?: AdminTls;
      /** The repository root (TLS file paths are relative to it). */
      root?: string;
      timeoutMs?: number;
    };

export interface CompileOptions {
  /** The run's secret values: kept out of the metadata a driver embeds. */
  secrets?: readonly string[];
}

/** One entry of the deployment history a gateway keeps about itself (newest first). */
export interface Stamp {
  /** Random: tells this write from any other. */
  id: string;
  action: 'apply' | 'rollback';
  /** applied: the write verified; failed: the attempt failed and the previous state was put back. */
  result: 'applied' | 'failed';
  /** The commit deployed (null for a working tree or index that is not a commit). */
  commit: string | null;
  /** What the user named (a branch, tag or sha), when a revision was named. */
  rev?: string;
  /** worktree | index | commit. */
  source: 'worktree' | 'index' | 'commit';
  /** The working tree had uncommitted changes. */
  dirty?: boolean;
  /** The git tree of the deployed commit (null when what was deployed is not a commit). */
  tree: string | null;
  /** Hash of the native config the desired state compiled to. */
  config: string;
  time: string;
  actor: string;
  gitway: string;
  environment: string;
  summary: { add: number; change: number; destroy: number };
  /** For a failed attempt: why (never a secret). */
  detail?: string;
}

/** How many stamps a gateway keeps. */
export const HISTORY_LIMIT = 20;

/** The gitway-owned part of a gateway as gitway reads it back. */
export interface LiveState {
  /** False when the target holds nothing of gitway's yet (no file, or no gitway root in it). */
  present: boolean;
  /** Entities as last written by gitway (secrets as hashes), with drift marked where the native config was edited by hand. */
  entities: KeyedEntity[];
  /** Hash of the gitway-owned native state: a plan records it; apply refuses when it changed. */
  fingerprint: string;
  /** The deployment history kept on the gateway, newest first. */
  history: Stamp[];
  /** What `restore` needs to put this state back (driver-specific; never shown). */
  snapshot: unknown;
  /** Where it was read from (a file or a URL), for messages. */
  where: string;
  /** What the gateway holds beside gitway's part that gitway skipped (for `dump`): one line each. */
  foreign?: string[];
  /**
   * What the read was of, for a write that follows it (driver-specific; a versioned config: the
   * write sends it back changed with its version, so it need not read again and still fails when
   * anything moved since).
   */
  basis?: unknown;
}

export interface WriteRequest<Native> {
  native: Native;
  /** The reviewed changes, in order (per-entity writers apply them one by one). */
  changes: readonly Change[];
  /** The live fingerprint the changes were computed against; the write is refused when the target moved. */
  expectedFingerprint: string;
  /** Recorded on the gateway with the write (the oldest stamps beyond HISTORY_LIMIT are dropped). */
  stamp: Stamp;
  /** The read the plan was made from: a driver whose read has a `basis` may write from it instead of reading again. */
  live?: LiveState;
}

export interface WriteResult {
  /** The state before the write, for a restore. */
  previous: LiveState;
  /** Write requests sent (a single-write driver sends one unless a conflict or reset made it re-read and try again). */
  writes: number;
}

export interface RestoreRequest {
  /** What to put back: `previous.snapshot` of a write, or `snapshot` of a read. */
  snapshot: unknown;
  /** The live fingerprint expected now (the restore is refused, as any write, when it moved). */
  expectedFingerprint: string;
  /** Added to the history that comes back with the snapshot (a failed attempt). */
  stamp?: Stamp;
}

export interface Driver<Native = unknown> {
  readonly name: DriverName;
  /** Values the gateway fills in, for the differ. */
  readonly defaults: Defaults;
  /** The header an admin token goes in. */
  readonly adminAuth: AdminAuth;
  /** Desired state → native config. Throws CompileError for what the gateway cannot enforce. */
  compile(state: DesiredState, options?: CompileOptions): Native;
  /** Hash of a compiled native config (what a saved plan promises to write). */
  fingerprint(native: Native): string;
  /** The complete native config a gateway would load, as text (secrets in clear: the caller redacts). */
  render(native: Native): string;
  read(target: ResolvedTarget): Promise<LiveState>;
  /** Writes all of it or nothing; throws StalePlanError (nothing written) when the live state is not the expected one. */
  write(target: ResolvedTarget, request: WriteRequest<Native>): Promise<WriteResult>;
  /** Puts a snapshot back (same guarantees as write). */
  restore(target: ResolvedTarget, request: RestoreRequest): Promise<void>;
}
