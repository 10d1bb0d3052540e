/**
 * The Salesforce client: the only door to Salesforce (jsforce stays behind this folder). Every method is
 * one or more REST/Bulk calls through an authenticated jsforce Connection; failures are typed
 * (errors.ts); API calls are counted and `Sforce-Limit-Info` is reported after each response.
 */
import { bulkIngest, bulkIngestResults, type BulkIngestOptions } from './bulk-ingest';
import type { PollOptions } from './bulk-jobs';
import { bulkQueryPages, type BulkQueryOptions } from './bulk-query';
import { createMany, deleteMany, updateMany, upsertMany, type WriteOptions } from './collections';
import { ClientCore, type SalesforceCallStats } from './core';
import type { ApiUsage } from './errors';
import { describe, limits } from './metadata';
import { queryPages, type QueryOptions } from './query';
import { getDeleted, getUpdated } from './replication';
import { retrieve } from './retrieve';
import { SalesforceSettings, type SalesforceSettingsInput } from './settings';
import type {
  BulkIngestOperation, BulkIngestResult, BulkQueryPage, DeletedResult, ObjectDescription, OrgLimits, QueryPage,
  SalesforceRecord, SaveResult, UpdatedResult,
} from './types';

export interface SalesforceClientOptions {
  settings: SalesforceSettingsInput;
  /** Called with `{ used, limit }` after every response carrying Sforce-Limit-Info. */
  onUsage?: (usage: ApiUsage) => void;
  /** Per HTTP request, jsforce retries included. Default 120 000 ms. */
  requestTimeoutMs?: number;
  /** Consecutive session refreshes allowed within one call before CRM_AUTH_FAILED. Default 2. */
  maxRefreshesPerCall?: number;
  /** Waits between bulk job polls (inject for tests). */
  sleep?: (ms: number) => Promise<void>;
}

export interface SalesforceClient {
  getUpdated(object: string, start: Date, end: Date): Promise<UpdatedResult>;
  getDeleted(object: string, start: Date, end: Date): Promise<DeletedResult>;
  /** SOQL, live records only; one page (≤ 2 000 records) per iteration. */
  query(soql: string, opts?: Omit<QueryOptions, 'includeDeleted'>): AsyncGenerator<QueryPage>;
  /** SOQL including soft-deleted and merged records (IsDeleted, MasterRecordId). */
  queryAll(soql: string, opts?: Omit<QueryOptions, 'includeDeleted'>): AsyncGenerator<QueryPage>;
  retrieve(object: string, ids: string[], fields: string[]): Promise<Array<SalesforceRecord | null>>;
  bulkQuery(soql: string, opts?: BulkQueryOptions): AsyncGenerator<BulkQueryPage>;
  describe(object: string): Promise<ObjectDescription>;
  limits(): Promise<OrgLimits>;
  createMany(object: string, records: Array<Record<string, unknown>>, opts?: WriteOptions): Promise<SaveResult[]>;
  updateMany(object: string, records: Array<Record<string, unknown> & { Id: string }>, opts?: WriteOptions): Promise<SaveResult[]>;
  upsertMany(object: string, externalIdField: string, records: Array<Record<string, unknown>>, opts?: WriteOptions): Promise<SaveResult[]>;
  deleteMany(object: string, ids: string[], opts?: WriteOptions): Promise<SaveResult[]>;
  bulkIngest(object: string, operation: BulkIngestOperation, records: Array<Record<string, unknown>>, opts?: BulkIngestOptions): Promise<BulkIngestResult>;
  /** Results of an ingest job created earlier (e.g. before a worker crash). */
  bulkIngestResults(jobId: string, opts?: PollOptions): Promise<BulkIngestResult>;
  /** Latest Sforce-Limit-Info seen by this client. */
  usage(): ApiUsage | undefined;
  /** The CRM's clock minus ours (ms), from the Date header of the last response; undefined before one. */
  serverClockSkewMs(): number | undefined;
  /** Counters since the client was created (diff them around a cycle to count its calls). */
  stats(): SalesforceCallStats;
}

export function createSalesforceClient(opts: SalesforceClientOptions): SalesforceClient {
  const core = new ClientCore({ ...opts, settings: SalesforceSettings.parse(opts.settings) });
  return {
    getUpdated: (object, start, end) => getUpdated(core, object, start, end),
    getDeleted: (object, start, end) => getDeleted(core, object, start, end),
    query: (soql, o) => queryPages(core, soql, { ...o, includeDeleted: false }),
    queryAll: (soql, o) => queryPages(core, soql, { ...o, includeDeleted: true }),
    retrieve: (object, ids, fields) => retrieve(core, object, ids, fields),
    bulkQuery: (soql, o) => bulkQueryPages(core, soql, o),
    describe: (object) => describe(core, object),
    limits: () => limits(core),
    createMany: (object, records, o) => createMany(core, object, records, o),
    updateMany: (object, records, o) => updateMany(core, object, records, o),
    upsertMany: (object, ext, records, o) => upsertMany(core, object, ext, records, o),
    deleteMany: (object, ids, o) => deleteMany(core, object, ids, o),
    bulkIngest: (object, operation, records, o) => bulkIngest(core, object, operation, records, o),
    bulkIngestResults: (jobId, o) => bulkIngestResults(core, jobId, o),
    usage: () => core.usage,
    serverClockSkewMs: () => core.serverClockSkewMs,
    stats: () => ({ ...core.stats }),
  };
}
