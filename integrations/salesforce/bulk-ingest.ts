/**
 * Bulk API 2.0 ingest: create the job, upload one normalised CSV, mark UploadComplete, poll, then read
 * successful / failed (`sf__Error`) / unprocessed rows. A failure before the upload completes aborts the job
 * (best effort) so no half-open job lingers.
 */
import type { ClientCore } from './core';
import { columnsOf, parseBulkCsv, parseSfError, toBulkCsv } from './bulk-csv';
import { waitForJob, type PollOptions } from './bulk-jobs';
import type { BulkIngestOperation, BulkIngestResult } from './types';
import { JobInfoWire, paths } from './wire';

export interface BulkIngestOptions extends PollOptions {
  /** Required for upsert. */
  externalIdField?: string;
  /** The CSV columns; default: every key seen in any record, in first-seen order. */
  columns?: string[];
  onJobCreated?: (jobId: string) => void | Promise<void>;
}

function columnsFor(operation: BulkIngestOperation, records: Array<Record<string, unknown>>, explicit?: string[]): string[] {
  if (operation === 'delete' || operation === 'hardDelete') return ['Id'];
  const columns = explicit ?? columnsOf(records);
  return operation === 'insert' ? columns.filter((c) => c !== 'Id') : columns;
}

export async function bulkIngest(
  core: ClientCore,
  object: string,
  operation: BulkIngestOperation,
  records: Array<Record<string, unknown>>,
  opts: BulkIngestOptions = {},
): Promise<BulkIngestResult> {
  if (operation === 'upsert' && !opts.externalIdField) throw new RangeError('upsert needs externalIdField');
  const csv = toBulkCsv(records, columnsFor(operation, records, opts.columns));
  const raw = await core.call(() =>
    core.requestJson('POST', paths.ingestJobs, {
      object,
      operation,
      ...(opts.externalIdField ? { externalIdFieldName: opts.externalIdField } : {}),
      contentType: 'CSV',
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
    }),
  );
  const jobId = core.parse(JobInfoWire, raw, 'a bulk ingest job').id;
  try {
    await opts.onJobCreated?.(jobId);
    await core.call(() => core.requestText('PUT', paths.ingestBatches(jobId), { body: csv, contentType: 'text/csv' }));
    await core.call(() => core.requestJson('PATCH', paths.ingestJob(jobId), { state: 'UploadComplete' }));
  } catch (err) {
    await core.call(() => core.requestJson('PATCH', paths.ingestJob(jobId), { state: 'Aborted' })).catch(() => undefined);
    throw err;
  }
  return bulkIngestResults(core, jobId, opts);
}

/** Waits for a job (created here or before a crash) and reads its three result files. */
export async function bulkIngestResults(core: ClientCore, jobId: string, opts: PollOptions = {}): Promise<BulkIngestResult> {
  let state: BulkIngestResult['state'] = 'JobComplete';
  try {
    await waitForJob(core, 'ingest', jobId, opts);
  } catch (err) {
    const code = (err as { errorCode?: string }).errorCode;
    if (code !== 'BULK_JOB_FAILED' && code !== 'BULK_JOB_ABORTED') throw err;
    state = code === 'BULK_JOB_FAILED' ? 'Failed' : 'Aborted';
  }
  const read = async (kind: 'successfulResults' | 'failedResults' | 'unprocessedrecords'): Promise<Array<Record<string, string>>> =>
    parseBulkCsv((await core.call(() => core.requestText('GET', paths.ingestResults(jobId, kind), { accept: 'text/csv' }))).text);
  const successful = await read('successfulResults');
  const failed = await read('failedResults');
  const unprocessed = await read('unprocessedrecords');
  const record = (row: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(row).filter(([k]) => !k.startsWith('sf__')));
  return {
    jobId,
    state,
    successful: successful.map((row) => ({ id: row.sf__Id ?? '', created: row.sf__Created === 'true', record: record(row) })),
    failed: failed.map((row) => ({ id: row.sf__Id ? row.sf__Id : null, errors: parseSfError(row.sf__Error ?? ''), rawError: row.sf__Error ?? '', record: record(row) })),
    unprocessed,
  };
}
