/**
 * Sync cycles as recorded in sync_cycles: begun by the loop with a workflow-chosen id (so a retried
 * activity finds its row), counted as batches commit, ended with a status and code. The API budget
 * is checked when a cycle begins.
 */
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/database';
import type { Database } from '../../db/schema';
import type { CycleError } from '../../db/sync-tables';
import type { ReasonCode } from '../../domain/reason-codes';
import { budgetDecision, BUDGET_WINDOW_MS } from '../../domain/sync/budget';
import { durationMs, type StoredConnectorSettings } from '../../domain/sync/settings';
import type { SyncCycleKind, SyncCycleStatus } from '../../domain/sync/vocabulary';
import type { ApiUsage } from '../../integrations/salesforce';
import type { BeginCycleResult } from '../../workflows/crm-sync/contract';
import { loadConnector } from './connector-store';
import { claimReplay } from './replay';

type Q = Kysely<Database>;

export type { BeginCycleResult };

export interface CycleCounts {
  read?: number;
  applied?: number;
  skipped?: number;
  codes?: Record<string, number>;
  apiCalls?: number;
}

/** Ensures a cursor row per synced object: a new object starts with its initial load. */
export async function ensureCursors(db: Q, connectorId: string, settings: Pick<StoredConnectorSettings, 'objects'>): Promise<void> {
  await db
    .insertInto('sync_cursors')
    .values(settings.objects.map((object) => ({ connector_id: connectorId, object, full_load: 'initial' as const })))
    .onConflict((oc) => oc.columns(['connector_id', 'object']).doNothing())
    .execute();
}

export async function beginCycle(db: Db, input: { connectorId: string; cycleId: string }): Promise<BeginCycleResult> {
  const connector = await loadConnector(db, input.connectorId);
  if (!connector) return { action: 'gone' };
  const cadenceMs = durationMs(connector.settings.cadence);
  const quotaBackoffMs = durationMs(connector.settings.quotaBackoff);
  const existing = await db.selectFrom('sync_cycles').select(['status', 'kind', 'deferred_until']).where('id', '=', input.cycleId).executeTakeFirst();
  if (existing) {
    // A retried call: answer as the first call did.
    if (existing.status === 'deferred') return { action: 'deferred', deferMs: Math.max(0, (existing.deferred_until?.getTime() ?? Date.now()) - Date.now()), cadenceMs };
    return { action: 'run', kind: existing.kind, cadenceMs, quotaBackoffMs };
  }
  if (connector.row.status === 'paused' || connector.row.status === 'auth_failed') return { action: connector.row.status, cadenceMs };

  await ensureCursors(db, input.connectorId, connector.settings);
  const loads = await db.selectFrom('sync_cursors').select('full_load').where('connector_id', '=', input.connectorId).where('object', 'in', connector.settings.objects).where('full_load', 'is not', null).execute();
  const kind: SyncCycleKind = loads.some((l) => l.full_load === 'resync' || l.full_load === 'requested') ? 'resync' : loads.length > 0 ? 'initial' : 'incremental';

  const window = await db
    .selectFrom('sync_cycles')
    .select([sql<string>`coalesce(sum(api_calls), 0)`.as('calls'), sql<Date | null>`min(started_at) filter (where api_calls > 0)`.as('oldest'), sql<Date>`now()`.as('now')])
    .where('connector_id', '=', input.connectorId)
    .where(sql<boolean>`started_at > now() - ${`${BUDGET_WINDOW_MS} milliseconds`}::interval`)
    .executeTakeFirstOrThrow();
  const nowMs = new Date(window.now).getTime();
  const budget = budgetDecision({
    orgLimit: connector.row.org_api_limit,
    orgUsed: connector.row.org_api_used,
    share: connector.settings.apiBudgetShare,
    connectorCalls: Number(window.calls),
    oldestCycleAtMs: window.oldest ? new Date(window.oldest).getTime() : null,
    minimumCallsForCycle: 2 * connector.settings.objects.length,
    nowMs,
  });
  if (!budget.proceed) {
    await db
      .insertInto('sync_cycles')
      .values({ id: input.cycleId, connector_id: input.connectorId, kind, status: 'deferred', code: 'API_BUDGET_DEFERRED', ended_at: new Date(nowMs), deferred_until: new Date(budget.retryAtMs), budget_allowance: budget.allowance, budget_left: budget.left, codes: JSON.stringify({ API_BUDGET_DEFERRED: 1 }) })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return { action: 'deferred', deferMs: budget.retryAtMs - nowMs, cadenceMs };
  }
  // A requested replay takes this cycle (it reads stored snapshots only: no CRM call).
  const replay = await claimReplay(db, input.connectorId, input.cycleId, connector.settings.objects);
  await db
    .insertInto('sync_cycles')
    .values({ id: input.cycleId, connector_id: input.connectorId, kind: replay ? 'replay' : kind, budget_allowance: budget.allowance, budget_left: budget.left })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return { action: 'run', kind: replay ? 'replay' : kind, cadenceMs, quotaBackoffMs };
}

/** Adds a committed batch's counts to its cycle (call inside the batch's transaction). */
export async function addCycleCounts(db: Q, cycleId: string, c: CycleCounts): Promise<void> {
  const codes = JSON.stringify(c.codes ?? {});
  await db
    .updateTable('sync_cycles')
    .set({
      records_read: sql`records_read + ${c.read ?? 0}`,
      records_applied: sql`records_applied + ${c.applied ?? 0}`,
      records_skipped: sql`records_skipped + ${c.skipped ?? 0}`,
      api_calls: sql`api_calls + ${c.apiCalls ?? 0}`,
      budget_left: sql`case when budget_left is null then null else budget_left - ${c.apiCalls ?? 0} end`,
      codes: sql`(select coalesce(jsonb_object_agg(key, total), '{}'::jsonb) from (
        select key, sum(value::int) as total from (
          select * from jsonb_each_text(sync_cycles.codes) union all select * from jsonb_each_text(${codes}::jsonb)) e group by key) t)`,
    })
    .where('id', '=', cycleId)
    .execute();
}

/** Notes a failure on the cycle (code, Salesforce's errorCode, affected records), merged by code. */
export async function recordCycleError(db: Q, cycleId: string, e: { code: string; errorCode?: string; records?: string[] }): Promise<void> {
  const row = await db.selectFrom('sync_cycles').select('errors').where('id', '=', cycleId).forUpdate().executeTakeFirst();
  if (!row) return;
  const errors: CycleError[] = [...row.errors];
  const found = errors.find((x) => x.code === e.code && (x.errorCode ?? null) === (e.errorCode ?? null));
  if (found) {
    found.count++;
    found.records = [...new Set([...found.records, ...(e.records ?? [])])].slice(0, 50);
  } else errors.push({ code: e.code, ...(e.errorCode ? { errorCode: e.errorCode } : {}), count: 1, records: (e.records ?? []).slice(0, 50) });
  await db.updateTable('sync_cycles').set({ errors: JSON.stringify(errors) }).where('id', '=', cycleId).execute();
}

export async function markCycleKind(db: Q, cycleId: string, kind: SyncCycleKind, code?: ReasonCode): Promise<void> {
  await db.updateTable('sync_cycles').set({ kind, ...(code ? { code } : {}) }).where('id', '=', cycleId).execute();
}

/** What the CRM told us about itself during a call: the org's API usage and its clock. */
export async function storeCrmObservations(db: Q, connectorId: string, seen: { usage?: ApiUsage; serverClockSkewMs?: number }): Promise<void> {
  if (!seen.usage && seen.serverClockSkewMs === undefined) return;
  await db
    .updateTable('connectors')
    .set({
      ...(seen.usage ? { org_api_used: seen.usage.used, org_api_limit: seen.usage.limit, org_api_seen_at: new Date() } : {}),
      ...(seen.serverClockSkewMs !== undefined ? { server_clock_skew_ms: Math.round(seen.serverClockSkewMs) } : {}),
    })
    .where('id', '=', connectorId)
    .execute();
}

export interface EndCycleInput {
  connectorId: string;
  cycleId: string;
  status: Exclude<SyncCycleStatus, 'running'>;
  code?: string | null;
  deferredUntil?: Date;
}

/**
 * Ends a cycle. Change-feed entries a completed cycle left pending are the queue: QUEUED_OVER_CAP. The
 * connector shows the last error (cleared by a completed cycle); CRM_AUTH_FAILED parks it.
 */
export async function endCycle(db: Db, input: EndCycleInput): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('sync_cycles')
      .set({ status: input.status, code: input.code ?? sql`code`, ended_at: new Date(), ...(input.deferredUntil ? { deferred_until: input.deferredUntil } : {}) })
      .where('id', '=', input.cycleId)
      .execute();
    // A completed cycle applied all it could: what remains waits for lack of room. (A failed one says so itself.)
    if (input.status === 'completed') {
      const queued = await tx
        .updateTable('sync_pending')
        .set({ code: 'QUEUED_OVER_CAP' })
        .where('connector_id', '=', input.connectorId)
        .where('op', 'in', ['upsert', 'delete'])
        .where('code', 'is', null)
        .returning('external_id')
        .execute();
      if (queued.length > 0) await addCycleCounts(tx, input.cycleId, { codes: { QUEUED_OVER_CAP: queued.length } });
    }
    if (input.status === 'completed') {
      await tx.updateTable('connectors').set({ last_error_code: null, last_error_at: null }).where('id', '=', input.connectorId).execute();
    } else if (input.code && input.status === 'failed') {
      await tx
        .updateTable('connectors')
        .set({ last_error_code: input.code, last_error_at: new Date(), ...(input.code === 'CRM_AUTH_FAILED' ? { status: 'auth_failed' as const } : {}) })
        .where('id', '=', input.connectorId)
        .execute();
    } else if (input.code && input.status === 'deferred') {
      await tx.updateTable('connectors').set({ last_error_code: input.code, last_error_at: new Date() }).where('id', '=', input.connectorId).execute();
    }
  });
}
