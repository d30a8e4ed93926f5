/**
 * The neutral desired state: what a gateway should hold, whatever the gateway. Built from manifests
 * and OpenAPI documents by build.ts, compiled to a native config by a driver (src/gateways/), and
 * compared with a live state by the differ (src/plan/diff.ts).
 *
 * Every entity has a kind from a closed set and a name that is its identity within that kind. Names
 * come from manifest names (and, for routes generated from an OpenAPI document, the API's name and
 * the path template), never from the order of files or documents.
 */
import type { JsonPath } from '../manifest/source.js';
import type { PolicyType, UpstreamSpec as ManifestUpstreamSpec } from '../manifest/types.js';

/** The kinds, in dependency order: what a later kind refers to is created first (and deleted last). */
export const ENTITY_KINDS = ['server', 'upstream', 'policy', 'consumer', 'route'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export interface Position {
  file: string;
  line: number;
  column: number;
}

/** The listener gitway owns on the gateway (from the environment). */
export interface ServerSpec {
  listen: string[];
}

export type LoadBalancingPolicy = NonNullable<ManifestUpstreamSpec['loadBalancing']>['policy'];

/** An Upstream as the manifest says it, with every target's weight filled in (default 1). */
export type UpstreamSpec = Omit<ManifestUpstreamSpec, 'targets'> & { targets: { url: string; weight: number }[] };

export interface PolicySpec {
  type: PolicyType;
  /** The policy's settings as written under its type (e.g. the object under `cors:`). */
  config: Record<string, unknown>;
}

export interface Credential {
  type: 'key' | 'basic' | 'jwt';
  key?: string;
  username?: string;
  password?: string;
  secret?: string;
  issuer?: string;
}

export interface ConsumerSpec {
  username?: string;
  credentials: Credential[];
}

/**
 * How a route matches a path. `template` is an OpenAPI path template: each `{param}` stands for
 * exactly one path segment.
 */
export interface PathMatch {
  match: 'template' | 'exact' | 'prefix' | 'regex';
  path: string;
}

export interface RouteSpec {
  /** The API the route was generated from; absent for a Route manifest. */
  api?: string;
  /** operationIds (or `METHOD path` when an operation has none) the route serves, for reviewers. */
  operations?: string[];
  /** Hosts it answers for; empty: any host. Sorted, lower-case. */
  hosts: string[];
  /** Methods it answers; empty: any method. Sorted, upper-case. */
  methods: string[];
  paths: PathMatch[];
  /** A path prefix removed before the request goes upstream (an API's base path). */
  stripPrefix?: string;
  /** A Route manifest's stripPath: the matched path prefix is removed before the request goes upstream. */
  stripPath?: boolean;
  upstream: string;
  /** Policies in the order they were listed (order is meaningful for some drivers). */
  policies: string[];
}

export interface SpecOfKind {
  server: ServerSpec;
  upstream: UpstreamSpec;
  policy: PolicySpec;
  consumer: ConsumerSpec;
  route: RouteSpec;
}

export interface Entity<K extends EntityKind = EntityKind> {
  kind: K;
  name: string;
  spec: SpecOfKind[K];
  /** Paths inside `spec` whose values came from `${env...}`: they are secrets. */
  sensitive: JsonPath[];
  /** Where the entity is written (not part of its identity or content). */
  source?: Position;
}

export type AnyEntity = { [K in EntityKind]: Entity<K> }[EntityKind];

export interface DesiredState {
  /** Sorted by kind (dependency order), then name. */
  entities: AnyEntity[];
}

export function entityKey(e: { kind: EntityKind; name: string }): string {
  return `${e.kind}/${e.name}`;
}

export function compareEntities(a: { kind: EntityKind; name: string }, b: { kind: EntityKind; name: string }): number {
  return ENTITY_KINDS.indexOf(a.kind) - ENTITY_KINDS.indexOf(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

export function entitiesOf<K extends EntityKind>(state: DesiredState, kind: K): Entity<K>[] {
  return state.entities.filter((e): e is Extract<AnyEntity, { kind: K }> => e.kind === kind) as unknown as Entity<K>[];
}
