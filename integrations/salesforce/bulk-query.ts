/**
 * Bulk API 2.0 query as an async iterator of result pages that we read ourselves: jsforce's
 * `conn.bulk2.query()` pipes page 2 into an ended stream and crashes the process (jsforce#1546, #1693).
 * Each page is one GET `…/results?maxRecords=&locator=`, a complete CSV with its header row; the
 * `Sforce-Locator` header names the next page (`null` after the last).
 */
import type { ClientCore } from './core';
import { parseBulkCsv } from './bulk-csv';
import { waitForJob, type PollOptions } from './bulk-jobs';
import type { BulkQueryPage } from './types';
import { JobInfoWire, paths } from './wire';

export interface BulkQueryOptions extends PollOptions {
  /** Records per results page (`maxRecords`), default 10 000. */
  pageSize?: number;
  /** queryAll: include soft-deleted and merged records. */
  includeDeleted?: boolean;
  /** Resume an existing job (e.g. from an activity heartbeat) instead of creating one. */
  jobId?: string;
  /** With `jobId`: continue from this page's locator. */
  locator?: string;
  /** Called once the job exists, before polling (heartbeat its id). */
  onJobCreated?: (jobId: string) => void | Promise<void>;
}

export async function createQueryJob(core: ClientCore, soql: string, includeDeleted: boolean): Promise<string> {
  const raw = await core.call(() => core.requestJson('POST', paths.queryJobs, { operation: includeDeleted ? 'queryAll' : 'query', query: soql, contentType: 'CSV', lineEnding: 'LF', columnDelimiter: 'COMMA' }));
  return core.parse(JobInfoWire, raw, 'a bulk query job').id;
}

export async function* bulkQueryPages(core: ClientCore, soql: string, opts: BulkQueryOptions = {}): AsyncGenerator<BulkQueryPage> {
  const jobId = opts.jobId ?? (await createQueryJob(core, soql, opts.includeDeleted ?? false));
  await opts.onJobCreated?.(jobId);
  await waitForJob(core, 'query', jobId, opts);
  const pageSize = opts.pageSize ?? 10_000;
  let locator: string | null = opts.locator ?? null;
  for (;;) {
    const qs = new URLSearchParams({ maxRecords: String(pageSize), ...(locator ? { locator } : {}) });
    const { text, headers } = await core.call(() => core.requestText('GET', `${paths.queryResults(jobId)}?${qs.toString()}`, { accept: 'text/csv' }));
    const next = headers['sforce-locator'];
    const nextLocator = next && next !== 'null' ? next : null;
    // Empty cells become null in place (a page is thousands of rows: no second copy of each).
    const records: Array<Record<string, string | null>> = parseBulkCsv(text);
    for (const row of records) for (const key in row) if (row[key] === '') row[key] = null;
    yield { jobId, records, locator, nextLocator };
    if (!nextLocator) return;
    locator = nextLocator;
  }
}
