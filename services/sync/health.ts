/**
 * A connector's health (HubSpot's "sync health", and more): calls in the last 24 hours against its
 * allowance and the org's, errors by code with the records they touched, records by code, the queue
 * (length and age), open reviews, each object's cursor age, and the last successful cycle.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import type { CycleError } from '../../db/sync-tables';
import { BUDGET_WINDOW_MS } from '../../domain/sync/budget';
import { requireConnector } from './connector-store';

export interface ConnectorHealth {
  connectorId: string;
  status: string;
  lastError: { code: string; at: string } | null;
  apiCalls: { last24h: number; allowance: number | null; share: number; org: { used: number; limit: number; seenAt: string } | null };
  errors: Array<{ code: string; errorCode: string | null; count: number; records: string[]; lastAt: string }>;
  recordsByStatus: Record<string, number>;
  recordsByCode: Array<{ code: string; count: number; sample: string[] }>;
  queue: { length: number; overCap: number; reevaluations: number; oldestAt: string | null; ageSeconds: number | null };
  review: { open: number };
  cursors: Array<{ object: string; updatedFrom: string | null; deletedFrom: string | null; ageSeconds: number | null; fullLoad: string | null; loadedAt: string | null }>;
  lastSuccessfulCycle: { id: string; kind: string; endedAt: string } | null;
  lastCycle: { id: string; kind: string; status: string; code: string | null; startedAt: string } | null;
}

export async function connectorHealth(db: Db, connectorId: string): Promise<ConnectorHealth> {
  const { row, settings } = await requireConnector(db, connectorId);
  const windowStart = sql<boolean>`started_at > now() - ${`${BUDGET_WINDOW_MS} milliseconds`}::interval`;
  const [calls, cycles, byStatus, byCode, queue, review, cursors, lastOk, last, now] = await Promise.all([
    db.selectFrom('sync_cycles').select(sql<string>`coalesce(sum(api_calls), 0)`.as('n')).where('connector_id', '=', connectorId).where(windowStart).executeTakeFirstOrThrow(),
    db.selectFrom('sync_cycles').select(['errors', 'started_at']).where('connector_id', '=', connectorId).where(windowStart).where(sql<boolean>`jsonb_array_length(errors) > 0`).orderBy('started_at').execute(),
    db.selectFrom('sync_records').select(['status', sql<string>`count(*)`.as('n')]).where('connector_id', '=', connectorId).groupBy('status').execute(),
    db
      .selectFrom('sync_records')
      .select(['code', sql<string>`count(*)`.as('n'), sql<string[]>`(array_agg(external_id order by updated_at desc))[1:5]`.as('sample')])
      .where('connector_id', '=', connectorId)
      .where('code', 'is not', null)
      .groupBy('code')
      .orderBy('code')
      .execute(),
    db
      .selectFrom('sync_pending')
      .select([
        sql<string>`count(*) filter (where op <> 'reeval')`.as('length'),
        sql<string>`count(*) filter (where code = 'QUEUED_OVER_CAP')`.as('over_cap'),
        sql<string>`count(*) filter (where op = 'reeval')`.as('reevals'),
        sql<Date | null>`min(enqueued_at) filter (where op <> 'reeval')`.as('oldest'),
      ])
      .where('connector_id', '=', connectorId)
      .executeTakeFirstOrThrow(),
    db.selectFrom('sync_review_items').select(sql<string>`count(*)`.as('n')).where('connector_id', '=', connectorId).where('status', '=', 'open').executeTakeFirstOrThrow(),
    db.selectFrom('sync_cursors').selectAll().where('connector_id', '=', connectorId).orderBy('object').execute(),
    db.selectFrom('sync_cycles').select(['id', 'kind', 'ended_at']).where('connector_id', '=', connectorId).where('status', '=', 'completed').orderBy('ended_at', 'desc').limit(1).executeTakeFirst(),
    db.selectFrom('sync_cycles').select(['id', 'kind', 'status', 'code', 'started_at']).where('connector_id', '=', connectorId).orderBy('started_at', 'desc').limit(1).executeTakeFirst(),
    sql<{ now: Date }>`select now() as now`.execute(db),
  ]);
  const nowMs = new Date(now.rows[0]!.now).getTime();
  const errors = new Map<string, ConnectorHealth['errors'][number]>();
  for (const c of cycles) {
    for (const e of c.errors as CycleError[]) {
      const key = `${e.code}|${e.errorCode ?? ''}`;
      const found = errors.get(key) ?? { code: e.code, errorCode: e.errorCode ?? null, count: 0, records: [], lastAt: c.started_at.toISOString() };
      found.count += e.count;
      found.records = [...new Set([...found.records, ...e.records])].slice(0, 50);
      found.lastAt = c.started_at.toISOString();
      errors.set(key, found);
    }
  }
  const limit = row.org_api_limit;
  return {
    connectorId,
    status: row.status,
    lastError: row.last_error_code ? { code: row.last_error_code, at: (row.last_error_at ?? row.updated_at).toISOString() } : null,
    apiCalls: {
      last24h: Number(calls.n),
      allowance: limit !== null ? Math.floor(limit * settings.apiBudgetShare) : null,
      share: settings.apiBudgetShare,
      org: limit !== null && row.org_api_used !== null ? { used: row.org_api_used, limit, seenAt: (row.org_api_seen_at ?? row.updated_at).toISOString() } : null,
    },
    errors: [...errors.values()],
    recordsByStatus: Object.fromEntries(byStatus.map((s) => [s.status, Number(s.n)])),
    recordsByCode: byCode.map((c) => ({ code: c.code!, count: Number(c.n), sample: c.sample })),
    queue: {
      length: Number(queue.length),
      overCap: Number(queue.over_cap),
      reevaluations: Number(queue.reevals),
      oldestAt: queue.oldest ? new Date(queue.oldest).toISOString() : null,
      ageSeconds: queue.oldest ? Math.round((nowMs - new Date(queue.oldest).getTime()) / 1000) : null,
    },
    review: { open: Number(review.n) },
    cursors: cursors.map((c) => ({
      object: c.object,
      updatedFrom: c.updated_from?.toISOString() ?? null,
      deletedFrom: c.deleted_from?.toISOString() ?? null,
      // How far behind the last read is, on our clock (the cursor itself is on the CRM's).
      ageSeconds: c.updated_from ? Math.max(0, Math.round((nowMs + Number(row.server_clock_skew_ms) - c.updated_from.getTime()) / 1000)) : null,
      fullLoad: c.full_load,
      loadedAt: c.loaded_at?.toISOString() ?? null,
    })),
    lastSuccessfulCycle: lastOk?.ended_at ? { id: lastOk.id, kind: lastOk.kind, endedAt: lastOk.ended_at.toISOString() } : null,
    lastCycle: last ? { id: last.id, kind: last.kind, status: last.status, code: last.code, startedAt: last.started_at.toISOString() } : null,
  };
}
