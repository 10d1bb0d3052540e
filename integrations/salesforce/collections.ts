/**
 * sObject Collections writes in chunks of ≤ 200 with allOrNone false: each row succeeds or fails on its own
 * and comes back as a SaveResult in input order. A thrown error (e.g. 503 on a chunk) means the chunks
 * before it were applied: upsert by an external id makes a retry idempotent. `onChunk` reports progress.
 */
import type { ClientCore } from './core';
import type { SaveResult } from './types';
import { SaveResultsWire } from './wire';

export const WRITE_CHUNK = 200;

export interface WriteOptions {
  /** Called after each chunk with its results and the index of its first row. */
  onChunk?: (results: SaveResult[], offset: number) => void | Promise<void>;
}

type Row = Record<string, unknown>;

async function inChunks<T>(core: ClientCore, items: T[], what: string, send: (chunk: T[]) => Promise<unknown>, opts: WriteOptions): Promise<SaveResult[]> {
  const out: SaveResult[] = [];
  for (let i = 0; i < items.length; i += WRITE_CHUNK) {
    const chunk = items.slice(i, i + WRITE_CHUNK);
    const raw = await core.call(() => send(chunk));
    const results: SaveResult[] = core.parse(SaveResultsWire, raw, what).map((r) => ({
      ...(r.id ? { id: r.id } : {}),
      success: r.success,
      ...(r.created !== undefined ? { created: r.created } : {}),
      errors: r.errors.map((e) => ({ statusCode: e.statusCode, message: e.message, fields: e.fields ?? [] })),
    }));
    if (results.length !== chunk.length) throw new RangeError(`Salesforce returned ${results.length} results for ${chunk.length} rows`);
    await opts.onChunk?.(results, i);
    out.push(...results);
  }
  return out;
}

/** Rows must not carry Id. */
export function createMany(core: ClientCore, object: string, records: Row[], opts: WriteOptions = {}): Promise<SaveResult[]> {
  return inChunks(core, records, 'a create', (chunk) => core.conn.sobject(object).create(chunk, { allOrNone: false }), opts);
}

/** Rows carry `Id`. */
export function updateMany(core: ClientCore, object: string, records: Array<Row & { Id: string }>, opts: WriteOptions = {}): Promise<SaveResult[]> {
  return inChunks(core, records, 'an update', (chunk) => core.conn.sobject(object).update(chunk, { allOrNone: false }), opts);
}

/** Rows carry the external id field; results say `created`. */
export function upsertMany(core: ClientCore, object: string, externalIdField: string, records: Row[], opts: WriteOptions = {}): Promise<SaveResult[]> {
  return inChunks(core, records, 'an upsert', (chunk) => core.conn.sobject(object).upsert(chunk, externalIdField, { allOrNone: false }), opts);
}

export function deleteMany(core: ClientCore, object: string, ids: string[], opts: WriteOptions = {}): Promise<SaveResult[]> {
  return inChunks(core, ids, 'a delete', (chunk) => core.conn.sobject(object).destroy(chunk, { allOrNone: false }), opts);
}
