/**
 * Bulk API 2.0 (salesforce-wire.md §5): ingest jobs (Open → upload CSV → UploadComplete → InProgress →
 * JobComplete | Failed, or Aborted) with successful / failed (`sf__Error`) / unprocessed results, and query
 * jobs whose CSV results are paged with `Sforce-Locator` (the literal `null` on the last page) and `maxRecords`.
 * CSV is read and written with csv-parse / csv-stringify.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { KEY_PREFIXES } from './ids';
import type { WriteOutcome } from './org';
import { compileSoql, renderCsvRow, runQuery, type FieldPath } from './soql';
import { recordBody, requireObject } from './sobjects';
import type { ApiRequest, EmulatorState } from './state';
import { ApiError, CSV_TYPE, formatDateTime, json, noContent, type Reply } from './wire';

type IngestOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
const INGEST_OPERATIONS: IngestOperation[] = ['insert', 'update', 'upsert', 'delete', 'hardDelete'];
type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

interface JobBase {
  id: string;
  object: string;
  state: JobState;
  createdDate: number;
  systemModstamp: number;
  apiVersion: string;
  /** Status reads still to answer `InProgress` before the job reaches its final state. */
  pendingPolls: number;
}

export interface BulkIngestJob extends JobBase {
  operation: IngestOperation;
  externalIdFieldName?: string;
  columns: string[];
  rows: Array<Record<string, string>>;
  uploaded: boolean;
  finalState?: 'JobComplete' | 'Failed';
  errorMessage?: string;
  successful: Array<{ id: string; created: boolean; row: Record<string, string> }>;
  failed: Array<{ id: string; error: string; row: Record<string, string> }>;
  unprocessed: Array<Record<string, string>>;
}

export interface BulkQueryJob extends JobBase {
  operation: 'query' | 'queryAll';
  select: FieldPath[];
  ids: string[];
}

const jobNotFound = (): ApiError => new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
const invalidState = (message: string): ApiError => new ApiError(409, 'INVALIDJOBSTATE', message);

function jobInfo(job: BulkIngestJob | BulkQueryJob, kind: 'ingest' | 'query'): Record<string, unknown> {
  const base = {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: '',
    createdDate: formatDateTime(job.createdDate),
    systemModstamp: formatDateTime(job.systemModstamp),
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    lineEnding: 'LF',
    columnDelimiter: 'COMMA',
    retries: 0,
    totalProcessingTime: 0,
  };
  if (kind === 'query') {
    const q = job as BulkQueryJob;
    return { ...base, jobType: 'V2Query', numberRecordsProcessed: q.state === 'JobComplete' ? q.ids.length : 0 };
  }
  const i = job as BulkIngestJob;
  const done = i.state === 'JobComplete' || i.state === 'Failed';
  return {
    ...base,
    ...(i.externalIdFieldName ? { externalIdFieldName: i.externalIdFieldName } : {}),
    jobType: 'V2Ingest',
    contentUrl: `services/data/v${i.apiVersion}/jobs/ingest/${i.id}/batches`,
    apiActiveProcessingTime: 0,
    apexProcessingTime: 0,
    numberRecordsProcessed: done ? i.successful.length + i.failed.length : 0,
    numberRecordsFailed: done ? i.failed.length : 0,
    ...(i.errorMessage && i.state === 'Failed' ? { errorMessage: i.errorMessage } : {}),
  };
}

/** Advances UploadComplete → InProgress → final state, one status read at a time. */
function advance(state: EmulatorState, job: JobBase, final: JobState): void {
  if (job.state !== 'UploadComplete' && job.state !== 'InProgress') return;
  if (job.pendingPolls > 0) {
    job.pendingPolls--;
    job.state = 'InProgress';
  } else job.state = final;
  job.systemModstamp = state.org.now();
}

// ---------------- ingest ----------------

export function createIngestJob(state: EmulatorState, req: ApiRequest): Reply {
  const body = recordBody(req);
  const def = requireObject(state, String(body.object ?? ''));
  const operation = body.operation as IngestOperation;
  if (!INGEST_OPERATIONS.includes(operation)) throw new ApiError(400, 'INVALIDJOB', `Invalid operation: ${String(body.operation)}`);
  if (operation === 'upsert' && typeof body.externalIdFieldName !== 'string') throw new ApiError(400, 'INVALIDJOB', 'externalIdFieldName is required for upsert');
  if ((body.contentType ?? 'CSV') !== 'CSV') throw new ApiError(400, 'INVALIDJOB', 'Only CSV is supported');
  const now = state.org.now();
  const job: BulkIngestJob = {
    id: state.ids.next(KEY_PREFIXES.BulkJob),
    object: def.name,
    operation,
    externalIdFieldName: typeof body.externalIdFieldName === 'string' ? body.externalIdFieldName : undefined,
    state: 'Open',
    createdDate: now,
    systemModstamp: now,
    apiVersion: req.version,
    pendingPolls: 0,
    columns: [],
    rows: [],
    uploaded: false,
    successful: [],
    failed: [],
    unprocessed: [],
  };
  state.ingestJobs.set(job.id, job);
  return json(200, jobInfo(job, 'ingest'));
}

function ingestJob(state: EmulatorState, id: string): BulkIngestJob {
  const job = state.ingestJobs.get(id);
  if (!job) throw jobNotFound();
  return job;
}

export function uploadIngestData(state: EmulatorState, req: ApiRequest, id: string): Reply {
  const job = ingestJob(state, id);
  if (job.state !== 'Open') throw invalidState(`Job ${id} is not open for data upload`);
  if (job.uploaded) throw invalidState('Data can be uploaded to a job only once');
  let rows: Array<Record<string, string>>;
  let columns: string[] = [];
  try {
    rows = parse(req.body, {
      columns: (header: string[]) => (columns = header),
      skip_empty_lines: true,
      bom: true,
    });
  } catch (err) {
    throw new ApiError(400, 'INVALIDJOB', `Unable to parse CSV: ${(err as Error).message}`);
  }
  job.columns = columns;
  job.rows = rows;
  job.uploaded = true;
  return { status: 201 };
}

/** sf__Error text: `<STATUS_CODE>:<message>:<fields> --` (as in real failedResults files). */
function errorText(outcome: WriteOutcome): string {
  if (outcome.ok) return '';
  return outcome.errors.map((e) => `${e.statusCode}:${e.message}:${e.fields.join(',')} --`).join(' ');
}

function processIngest(state: EmulatorState, job: BulkIngestJob): void {
  if (state.settings.failNextIngestJob !== undefined) {
    job.errorMessage = state.settings.failNextIngestJob;
    state.settings.failNextIngestJob = undefined;
    job.finalState = 'Failed';
    job.unprocessed = job.rows;
    return;
  }
  const org = state.org;
  for (const row of job.rows) {
    const idKey = Object.keys(row).find((k) => k.toLowerCase() === 'id');
    const rowId = idKey ? row[idKey] : undefined;
    const fields: Record<string, string> = { ...row };
    if (idKey) delete fields[idKey];
    let outcome: WriteOutcome;
    switch (job.operation) {
      case 'insert':
        outcome = org.create(job.object, fields, 'csv');
        break;
      case 'update':
        outcome = org.update(job.object, rowId, fields, 'csv');
        break;
      case 'upsert':
        outcome = org.upsert(job.object, job.externalIdFieldName!, fields, 'csv');
        break;
      case 'delete':
        outcome = org.delete(rowId, job.object);
        break;
      case 'hardDelete': {
        const found = rowId ? org.get(rowId) : undefined;
        outcome = found && found.def.name === job.object ? { ok: true, id: found.rec.Id as string, created: false } : { ok: false, errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [] }] };
        if (outcome.ok) org.purge([outcome.id]);
        break;
      }
    }
    if (outcome.ok) job.successful.push({ id: outcome.id, created: outcome.created, row });
    else job.failed.push({ id: rowId ?? '', error: errorText(outcome), row });
  }
  job.finalState = 'JobComplete';
}

export function patchIngestJob(state: EmulatorState, req: ApiRequest, id: string): Reply {
  const job = ingestJob(state, id);
  const target = recordBody(req).state;
  if (target === 'UploadComplete') {
    if (job.state !== 'Open') throw invalidState(`Job ${id} is not open`);
    job.state = 'UploadComplete';
    job.pendingPolls = state.settings.bulkPollsUntilComplete;
    processIngest(state, job);
  } else if (target === 'Aborted') {
    if (job.state === 'JobComplete' || job.state === 'Failed' || job.state === 'Aborted') throw invalidState(`Job ${id} is already ${job.state}`);
    if (!job.finalState) job.unprocessed = job.rows;
    job.state = 'Aborted';
  } else throw new ApiError(400, 'INVALIDJOBSTATE', `Invalid state: ${String(target)}`);
  job.systemModstamp = state.org.now();
  return json(200, jobInfo(job, 'ingest'));
}

export function getIngestJob(state: EmulatorState, id: string): Reply {
  const job = ingestJob(state, id);
  advance(state, job, job.finalState ?? 'JobComplete');
  return json(200, jobInfo(job, 'ingest'));
}

export function ingestResults(state: EmulatorState, id: string, kind: 'successfulResults' | 'failedResults' | 'unprocessedrecords'): Reply {
  const job = ingestJob(state, id);
  const terminal = job.state === 'JobComplete' || job.state === 'Failed' || job.state === 'Aborted';
  if (!terminal) throw invalidState(`Job ${id} has not finished processing`);
  const cols = job.columns;
  let records: string[][];
  let header: string[];
  if (kind === 'successfulResults') {
    header = ['sf__Id', 'sf__Created', ...cols];
    records = job.successful.map((s) => [s.id, String(s.created), ...cols.map((c) => s.row[c] ?? '')]);
  } else if (kind === 'failedResults') {
    header = ['sf__Id', 'sf__Error', ...cols];
    records = job.failed.map((f) => [f.id, f.error, ...cols.map((c) => f.row[c] ?? '')]);
  } else {
    header = cols;
    records = job.unprocessed.map((row) => cols.map((c) => row[c] ?? ''));
  }
  return { status: 200, contentType: CSV_TYPE, text: stringify([header, ...records]) };
}

export function deleteIngestJob(state: EmulatorState, id: string): Reply {
  ingestJob(state, id);
  state.ingestJobs.delete(id);
  return noContent();
}

// ---------------- query ----------------

export function createQueryJob(state: EmulatorState, req: ApiRequest): Reply {
  const body = recordBody(req);
  const operation = body.operation ?? 'query';
  if (operation !== 'query' && operation !== 'queryAll') throw new ApiError(400, 'INVALIDJOB', `Invalid operation: ${String(operation)}`);
  if (typeof body.query !== 'string') throw new ApiError(400, 'INVALIDJOB', 'query is required');
  const q = compileSoql(state.org, body.query, state.clock.now());
  if (q.count) throw new ApiError(400, 'INVALIDJOB', 'Aggregate queries are not supported by Bulk API 2.0');
  if (q.offset !== undefined) throw new ApiError(400, 'INVALIDJOB', 'OFFSET is not supported by Bulk API 2.0');
  const now = state.org.now();
  const job: BulkQueryJob = {
    id: state.ids.next(KEY_PREFIXES.BulkJob),
    object: q.object.name,
    operation,
    state: 'UploadComplete',
    createdDate: now,
    systemModstamp: now,
    apiVersion: req.version,
    pendingPolls: state.settings.bulkPollsUntilComplete,
    select: q.select,
    ids: runQuery(state.org, q, operation === 'queryAll'),
  };
  state.queryJobs.set(job.id, job);
  return json(200, jobInfo(job, 'query'));
}

function queryJob(state: EmulatorState, id: string): BulkQueryJob {
  const job = state.queryJobs.get(id);
  if (!job) throw jobNotFound();
  return job;
}

export function getQueryJob(state: EmulatorState, id: string): Reply {
  const job = queryJob(state, id);
  advance(state, job, 'JobComplete');
  return json(200, jobInfo(job, 'query'));
}

/** Locators are opaque base64 offsets, like Salesforce's `MTAwMDA` (= "10000"). */
const encodeLocator = (offset: number): string => Buffer.from(String(offset)).toString('base64').replace(/=+$/, '');
const decodeLocator = (locator: string): number | undefined => {
  const n = Number(Buffer.from(locator, 'base64').toString('utf8'));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
};

export function queryResults(state: EmulatorState, req: ApiRequest, id: string): Reply {
  const job = queryJob(state, id);
  if (job.state !== 'JobComplete') throw new ApiError(412, 'JOB_NOT_COMPLETE', `can only download query results of successfully completed bulk job ${id}`);
  const locator = req.query.get('locator');
  const offset = locator ? decodeLocator(locator) : 0;
  if (offset === undefined || offset > job.ids.length) throw new ApiError(400, 'INVALID_LOCATOR', 'invalid locator');
  const maxRecords = Number(req.query.get('maxRecords') ?? state.settings.bulkQueryPageSize);
  if (!Number.isInteger(maxRecords) || maxRecords < 1) throw new ApiError(400, 'INVALIDJOB', 'maxRecords must be a positive integer');
  const end = Math.min(job.ids.length, offset + maxRecords);
  const rows: string[][] = [job.select.map((p) => p.name)];
  for (const recId of job.ids.slice(offset, end)) {
    const found = state.org.get(recId);
    if (found) rows.push(renderCsvRow(state.org, found.rec, job.select));
  }
  return {
    status: 200,
    contentType: CSV_TYPE,
    headers: { 'Sforce-Locator': end < job.ids.length ? encodeLocator(end) : 'null', 'Sforce-NumberOfRecords': String(rows.length - 1) },
    text: stringify(rows),
  };
}

export function patchQueryJob(state: EmulatorState, req: ApiRequest, id: string): Reply {
  const job = queryJob(state, id);
  if (recordBody(req).state !== 'Aborted') throw new ApiError(400, 'INVALIDJOBSTATE', 'Only Aborted can be set on a query job');
  if (job.state === 'JobComplete' || job.state === 'Failed' || job.state === 'Aborted') throw invalidState(`Job ${id} is already ${job.state}`);
  job.state = 'Aborted';
  return json(200, jobInfo(job, 'query'));
}

export function deleteQueryJob(state: EmulatorState, id: string): Reply {
  queryJob(state, id);
  state.queryJobs.delete(id);
  return noContent();
}
