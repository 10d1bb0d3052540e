/**
 * "Why did this record (not) sync": a CRM record's state as the loop left it — every rule with
 * pass/fail, the last decision and its cycle, the link, the survivor of a merge, and for each synced
 * field which side last wrote it — without the record's values (operators read this). Also the
 * records of a connector by status or code (QUEUED_OVER_CAP lists the queue) and a contact's links.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { cursorPart, decodeCursor, encodeCursor, type Page } from '../../db/pagination';
import { expandChecks, type ReadCheck } from '../../domain/sync/stored-checks';
import type { SyncObject, SyncRecordStatus } from '../../domain/sync/vocabulary';
import { notFound } from '../errors';
import { requireConnector } from './connector-store';

export interface RecordCheckJson {
  rule: string;
  pass: boolean;
  code: string | null;
  detail?: string;
  blocking: boolean;
}

export interface SyncRecordJson {
  connectorId: string;
  object: SyncObject;
  externalId: string;
  /** `queued`: seen in the change feed, not applied yet. */
  status: SyncRecordStatus | 'queued';
  code: string | null;
  local: { kind: 'company' | 'contact'; id: string } | null;
  masterRecordId: string | null;
  decision: { outcome: string | null; code: string | null; cycleId: string | null; decidedAt: string | null; checks: RecordCheckJson[]; conflicts: Array<{ field: string; code: string }> };
  fields: Array<{ field: string; lastWrittenBy: string }>;
  queue: { op: string; code: string | null; since: string; priority: number } | null;
  review: { id: string; status: string; candidateIds: string[] } | null;
  crmModifiedAt: string | null;
}

type RecordRow = {
  connector_id: string;
  object: SyncObject;
  external_id: string;
  local_kind: 'company' | 'contact' | null;
  local_id: string | null;
  status: SyncRecordStatus;
  code: string | null;
  decision: Record<string, unknown>;
  field_sources: Record<string, string>;
  master_external_id: string | null;
  crm_modstamp: Date | null;
  last_cycle_id: string | null;
  updated_at: Date;
};

const RECORD_COLUMNS = ['connector_id', 'object', 'external_id', 'local_kind', 'local_id', 'status', 'code', 'decision', 'field_sources', 'master_external_id', 'crm_modstamp', 'last_cycle_id', 'updated_at'] as const;

function toJson(row: RecordRow, queue: SyncRecordJson['queue'], review: SyncRecordJson['review']): SyncRecordJson {
  const d = row.decision as { outcome?: string; code?: string | null; checks?: Array<ReadCheck | string>; conflicts?: Array<{ field: string; code: string }> };
  return {
    connectorId: row.connector_id,
    object: row.object,
    externalId: row.external_id,
    status: row.status,
    code: row.code,
    local: row.local_kind && row.local_id ? { kind: row.local_kind, id: row.local_id } : null,
    masterRecordId: row.master_external_id,
    decision: {
      outcome: d.outcome ?? null,
      code: d.code ?? null,
      cycleId: row.last_cycle_id,
      decidedAt: row.updated_at.toISOString(),
      checks: expandChecks(d.checks).map((c) => ({ rule: c.rule, pass: c.pass, code: c.code ?? null, ...(c.detail ? { detail: c.detail } : {}), blocking: c.blocking !== false })),
      conflicts: d.conflicts ?? [],
    },
    fields: Object.entries(row.field_sources ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([field, lastWrittenBy]) => ({ field, lastWrittenBy })),
    queue,
    review,
    crmModifiedAt: row.crm_modstamp ? row.crm_modstamp.toISOString() : null,
  };
}

async function extrasFor(db: Db, connectorId: string, object: SyncObject, externalId: string) {
  const [pending, review] = await Promise.all([
    db.selectFrom('sync_pending').select(['op', 'code', 'enqueued_at', 'priority']).where('connector_id', '=', connectorId).where('object', '=', object).where('external_id', '=', externalId).executeTakeFirst(),
    db.selectFrom('sync_review_items').select(['id', 'status', 'candidate_ids']).where('connector_id', '=', connectorId).where('object', '=', object).where('external_id', '=', externalId).orderBy('created_at', 'desc').executeTakeFirst(),
  ]);
  return {
    queue: pending ? { op: pending.op, code: pending.code, since: pending.enqueued_at.toISOString(), priority: pending.priority } : null,
    review: review ? { id: review.id, status: review.status, candidateIds: review.candidate_ids } : null,
  };
}

export async function recordView(db: Db, connectorId: string, externalId: string): Promise<SyncRecordJson> {
  await requireConnector(db, connectorId);
  const row = (await db.selectFrom('sync_records').select(RECORD_COLUMNS).where('connector_id', '=', connectorId).where('external_id', '=', externalId).executeTakeFirst()) as RecordRow | undefined;
  if (row) {
    const { queue, review } = await extrasFor(db, connectorId, row.object, externalId);
    return toJson(row, queue, review);
  }
  // Not applied yet: it may wait in the queue.
  const pending = await db.selectFrom('sync_pending').selectAll().where('connector_id', '=', connectorId).where('external_id', '=', externalId).executeTakeFirst();
  if (!pending) throw notFound('CRM record', externalId);
  return {
    connectorId,
    object: pending.object,
    externalId,
    status: 'queued',
    code: pending.code,
    local: null,
    masterRecordId: null,
    decision: { outcome: null, code: null, cycleId: null, decidedAt: null, checks: [], conflicts: [] },
    fields: [],
    queue: { op: pending.op, code: pending.code, since: pending.enqueued_at.toISOString(), priority: pending.priority },
    review: null,
    crmModifiedAt: null,
  };
}

/** The CRM links of a local contact (or company), with each one's state. */
export async function linksOfLocal(db: Db, kind: 'contact' | 'company', localId: string): Promise<SyncRecordJson[]> {
  const rows = (await db.selectFrom('sync_records').select(RECORD_COLUMNS).where('local_kind', '=', kind).where('local_id', '=', localId).orderBy('connector_id').orderBy('object').orderBy('external_id').execute()) as RecordRow[];
  return Promise.all(rows.map(async (row) => {
    const { queue, review } = await extrasFor(db, row.connector_id, row.object, row.external_id);
    return toJson(row, queue, review);
  }));
}

export interface RecordListQuery {
  limit: number;
  cursor?: string;
  status?: SyncRecordStatus | 'queued';
  code?: string;
  object?: SyncObject;
}

/** Records in (object, externalId) order; `status=queued` or `code=QUEUED_OVER_CAP` lists the queue (records linked to owned contacts first). */
export async function listRecords(db: Db, connectorId: string, q: RecordListQuery): Promise<Page<SyncRecordJson>> {
  await requireConnector(db, connectorId);
  const after = decodeCursor(q.cursor, [cursorPart.any, cursorPart.any]);
  if (q.status === 'queued' || q.code === 'QUEUED_OVER_CAP') {
    let query = db.selectFrom('sync_pending').selectAll().where('connector_id', '=', connectorId).where('op', 'in', ['upsert', 'delete']);
    if (q.code) query = query.where('code', '=', q.code);
    if (q.object) query = query.where('object', '=', q.object);
    if (after) query = query.where(sql<boolean>`(object, external_id) > (${after[0]!}, ${after[1]!})`);
    const rows = await query.orderBy('object').orderBy('external_id').limit(q.limit + 1).execute();
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      rows: await Promise.all(page.map((p) => recordView(db, connectorId, p.external_id))),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.object, last.external_id]) : null,
    };
  }
  let query = db.selectFrom('sync_records').select(RECORD_COLUMNS).where('connector_id', '=', connectorId);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.code) query = query.where(sql<boolean>`(code = ${q.code} or decision->'conflicts' @> ${JSON.stringify([{ code: q.code }])}::jsonb)`);
  if (q.object) query = query.where('object', '=', q.object);
  if (after) query = query.where(sql<boolean>`(object, external_id) > (${after[0]!}, ${after[1]!})`);
  const rows = (await query.orderBy('object').orderBy('external_id').limit(q.limit + 1).execute()) as RecordRow[];
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    rows: await Promise.all(page.map(async (row) => {
      const { queue, review } = await extrasFor(db, connectorId, row.object, row.external_id);
      return toJson(row, queue, review);
    })),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.object, last.external_id]) : null,
  };
}
