/** The manifest kinds of PRODUCT.md (apiVersion gitway/v1), as gitway reads them. */
import type { Kind } from './schema.js';
import type { JsonPath, SourceDocument } from './source.js';

export interface Check {
  name: string;
  request: { method?: string; path: string; headers?: Record<string, string>; body?: unknown };
  expect: { status?: number; headers?: Record<string, string>; bodyContains?: string; json?: Record<string, unknown> };
  timeout?: string;
}

export interface ApiSpec {
  openapi: string;
  basePath?: string;
  hosts?: string[];
  stripBasePath?: boolean;
  upstream: string;
  policies?: string[];
  checks?: Check[];
}

export interface RoutePath {
  path: string;
  match?: 'prefix' | 'exact' | 'regex';
}

export interface RouteSpec {
  hosts?: string[];
  paths: (string | RoutePath)[];
  methods?: string[];
  stripPath?: boolean;
  upstream: string;
  policies?: string[];
}

export interface UpstreamSpec {
  targets: { url: string; weight?: number }[];
  loadBalancing?: { policy: 'round-robin' | 'least-connections' | 'ip-hash' | 'random' | 'header' | 'cookie'; header?: string; cookie?: string };
  healthCheck?: {
    path?: string;
    interval?: string;
    timeout?: string;
    expectedStatus?: number;
    passive?: { maxFails?: number; failDuration?: string; unhealthyStatus?: number[] };
  };
  timeouts?: { connect?: string; read?: string; write?: string };
  retries?: number;
}

export const POLICY_TYPES = ['rateLimit', 'auth', 'cors', 'headers', 'ipRestriction', 'requestSizeLimit', 'vendor'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

export type PolicySpec = Partial<Record<PolicyType, Record<string, unknown>>>;

export interface ConsumerSpec {
  username?: string;
  credentials?: { type: 'key' | 'basic' | 'jwt'; key?: string; username?: string; password?: string; secret?: string; issuer?: string }[];
}

export interface SpecOf {
  API: ApiSpec;
  Route: RouteSpec;
  Upstream: UpstreamSpec;
  Policy: PolicySpec;
  Consumer: ConsumerSpec;
}

/** One manifest document after schema validation and variable substitution. */
export interface Manifest<K extends Kind = Kind> {
  kind: K;
  name: string;
  file: string;
  /** Where it stands in its file: the parsed document, for positions. */
  source: SourceDocument;
  metadata: { name: string; description?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  /** The spec with variables substituted. */
  spec: SpecOf[K];
  /** The spec as written (before substitution), for checks that care how a value was written. */
  rawSpec: SpecOf[K];
  /** Paths (from the document root) of values that came from ${env...}. */
  sensitive: JsonPath[];
}

export type AnyManifest = { [K in Kind]: Manifest<K> }[Kind];
