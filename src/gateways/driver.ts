/**
 * What every gateway driver provides. The same shape fits the three ways gateways take config:
 * whole-config writers (a Caddy or Kong DB-less file, Caddy's `POST /load`), per-entity writers
 * (Kong DB mode: one admin call per change, in the plan's order) and live admin APIs (read the
 * live config, write with optimistic concurrency). `compile` is pure; `read` and `write` are the
 * only I/O, and only drivers do it.
 */
import type { Driver as DriverName } from '../manifest/config.js';
import type { DesiredState } from '../model/types.js';
import type { Change, Defaults, KeyedEntity } from '../plan/diff.js';

/** A target with its file resolved against the repository root. */
export type ResolvedTarget = { kind: 'file'; file: string; path: string } | { kind: 'admin'; url: string };

export interface CompileOptions {
  /** The run's secret values: kept out of the metadata a driver embeds. */
  secrets?: readonly string[];
}

/** The gitway-owned part of a gateway as gitway reads it back. */
export interface LiveState {
  /** False when the target holds nothing of gitway's yet (no file, or no gitway root in it). */
  present: boolean;
  /** Entities as last written by gitway (secrets as hashes), with drift marked where the native config was edited by hand. */
  entities: KeyedEntity[];
  /** Hash of the gitway-owned native state: a plan records it; apply refuses when it changed. */
  fingerprint: string;
}

export interface WriteRequest<Native> {
  native: Native;
  /** The reviewed changes, in order (per-entity writers apply them one by one). */
  changes: readonly Change[];
  /** The live fingerprint the changes were computed against; the write is refused when the target moved. */
  expectedFingerprint: string;
}

export interface Driver<Native = unknown> {
  readonly name: DriverName;
  /** Values the gateway fills in, for the differ. */
  readonly defaults: Defaults;
  /** Desired state → native config. Throws CompileError for what the gateway cannot enforce. */
  compile(state: DesiredState, options?: CompileOptions): Native;
  /** Hash of a compiled native config (what a saved plan promises to write). */
  fingerprint(native: Native): string;
  /** The complete native config a gateway would load, as text (secrets in clear: the caller redacts). */
  render(native: Native): string;
  read(target: ResolvedTarget): Promise<LiveState>;
  write(target: ResolvedTarget, request: WriteRequest<Native>): Promise<void>;
}
