/**
 * SOQL query / queryAll as an async iterator of pages, following `nextRecordsUrl` one page per call:
 * nothing is accumulated (jsforce's autoFetch would hold everything and silently stop at maxFetch = 10 000).
 */
import type { ClientCore } from './core';
import type { QueryPage, SalesforceRecord } from './types';
import { QueryResponse } from './wire';

export interface QueryOptions {
  /** Include soft-deleted and merged records (queryAll). */
  includeDeleted?: boolean;
  /** `Sforce-Query-Options: batchSize` (200–2000); Salesforce may return fewer. */
  batchSize?: number;
  /** Continue from a page's `nextRecordsUrl` instead of running the query. */
  resumeFrom?: string;
}

export function stripAttributes(rec: Record<string, unknown>): SalesforceRecord {
  const { attributes: _attributes, ...rest } = rec;
  for (const [key, value] of Object.entries(rest)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && 'attributes' in value) rest[key] = stripAttributes(value as Record<string, unknown>);
  }
  return rest as SalesforceRecord;
}

export async function* queryPages(core: ClientCore, soql: string, opts: QueryOptions = {}): AsyncGenerator<QueryPage> {
  const headers: Record<string, string> = opts.batchSize ? { 'Sforce-Query-Options': `batchSize=${opts.batchSize}` } : {};
  let next: string | undefined = opts.resumeFrom;
  let first = next === undefined;
  while (first || next !== undefined) {
    const locator = next;
    const raw = await core.call(async (conn) =>
      locator === undefined
        ? await conn.query(soql, { scanAll: opts.includeDeleted ?? false, autoFetch: false, headers })
        : await conn.queryMore(locator, { autoFetch: false, headers, maxFetch: 2000, scanAll: false, responseTarget: 'QueryResult' }),
    );
    const page = core.parse(QueryResponse, raw, 'a query page');
    first = false;
    next = page.done ? undefined : page.nextRecordsUrl;
    yield { records: page.records.map(stripAttributes), totalSize: page.totalSize, done: page.done, ...(next ? { nextRecordsUrl: next } : {}) };
  }
}
