/** Everything one emulator instance holds, shared by the handlers. */
import type { IncomingHttpHeaders } from 'node:http';
import type { BulkIngestJob, BulkQueryJob } from './bulk-jobs';
import type { EmulatorClock } from './clock';
import type { IdFactory } from './ids';
import type { OAuthConfig, TokenStore } from './oauth';
import type { Org } from './org';
import type { QueryCursor } from './rest-query';
import type { ApiLimits, EmulatorSettings, Faults, Journal } from './runtime';

export interface EmulatorState {
  baseUrl: string;
  clock: EmulatorClock;
  ids: IdFactory;
  org: Org;
  oauth: OAuthConfig;
  tokens: TokenStore;
  limits: ApiLimits;
  faults: Faults;
  journal: Journal;
  settings: EmulatorSettings;
  cursors: Map<string, QueryCursor>;
  ingestJobs: Map<string, BulkIngestJob>;
  queryJobs: Map<string, BulkQueryJob>;
}

/** An authenticated REST request under /services/data/v{version}/. */
export interface ApiRequest {
  method: string;
  /** Path after /services/data/vXX.X, e.g. `/query`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  version: string;
}

export function jsonBody(req: ApiRequest): unknown {
  if (req.body.length === 0) return undefined;
  try {
    return JSON.parse(req.body.toString('utf8')) as unknown;
  } catch {
    return Symbol.for('invalid-json');
  }
}
