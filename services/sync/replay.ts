/**
 * Replays (issue 11 "Dry run and replay"): `POST /v1/connectors/:id/replay { from, to }` re-applies the
 * CRM changes of a past window — every CRM record whose change (its SystemModstamp, in the stored
 * snapshot or in an earlier version) falls in [from, to) — from the stored snapshots, e.g. after fixing
 * a mapping. The loop runs it as a cycle of its own (kind `replay`, no CRM call). Each record is decided
 * again and applied from its latest stored snapshot, with the usual per-field policy: a later CRM change
 * is never rolled back, and a field changed locally since is kept. Earlier snapshots are kept
 * CRM_SYNC_SNAPSHOT_RETENTION days (pruned after each cycle); a window reaching further back is refused.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import type { SyncReplayRow } from '../../db/sync-two-way-tables';
import type { CrmSnapshot } from '../../domain/sync/snapshot';
import { SYNC_OBJECTS } from '../../domain/sync/vocabulary';
import { invalidFields } from '../errors';
import { applyRecords, type ApplyContext, type ApplyResult } from './apply-records';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../../domain/config';
import { syncWorkflows } from '../../temporal/sync-workflows';
import { actorLabel, type Actor } from '../actor';
import { conflict } from '../errors';
import { requireConnector } from './connector-store';
import { addCycleCounts } from './cycles';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Records re-applied per transaction. */
export const REPLAY_BATCH = 2_000;

export interface ReplayJson {
  id: string;
  connectorId: string;
  from: string;
  to: string;
  status: SyncReplayRow['status'];
  cycleId: string | null;
  records: number;
  requestedAt: string;
  endedAt: string | null;
}

export function toReplayJson(r: SyncReplayRow): ReplayJson {
  return {
    id: r.id,
    connectorId: r.connector_id,
    from: r.from_at.toISOString(),
    to: r.to_at.toISOString(),
    status: r.status,
    cycleId: r.cycle_id,
    records: r.records,
    requestedAt: r.created_at.toISOString(),
    endedAt: r.ended_at ? r.ended_at.toISOString() : null,
  };
}

/** Queues a replay (the caller signals the loop). */
export async function requestReplay(db: Db, input: { connectorId: string; from: Date; to: Date; requestedBy: string; retentionDays: number; now: Date }): Promise<SyncReplayRow> {
  await requireConnector(db, input.connectorId);
  const problems: Array<{ path: string; problem: string }> = [];
  if (input.from.getTime() >= input.to.getTime()) problems.push({ path: 'body.to', problem: 'must be after from' });
  if (input.to.getTime() > input.now.getTime()) problems.push({ path: 'body.to', problem: 'must not be in the future' });
  if (input.from.getTime() < input.now.getTime() - input.retentionDays * DAY_MS) {
    problems.push({ path: 'body.from', problem: `earlier snapshots are kept ${input.retentionDays} days (CRM_SYNC_SNAPSHOT_RETENTION): the window must start within them` });
  }
  if (problems.length > 0) throw invalidFields(problems);
  return db.insertInto('sync_replays').values({ connector_id: input.connectorId, from_at: input.from, to_at: input.to, requested_by: input.requestedBy }).returningAll().executeTakeFirstOrThrow();
}

/** Queues a replay and wakes the loop: its next cycle is the replay. */
export async function startReplay(deps: { db: Db; temporal: Client; config: Pick<AppConfig, 'TEMPORAL_TASK_QUEUE' | 'CRM_SYNC_SNAPSHOT_RETENTION'> }, connectorId: string, body: { from: Date; to: Date }, actor: Actor): Promise<SyncReplayRow> {
  const connector = await requireConnector(deps.db, connectorId);
  if (connector.row.status === 'paused') throw conflict('CONNECTOR_PAUSED', `Connector ${connectorId} is paused; resume it (POST /v1/connectors/${connectorId}/resume) to replay.`);
  const row = await requestReplay(deps.db, { connectorId, from: body.from, to: body.to, requestedBy: actorLabel(actor), retentionDays: deps.config.CRM_SYNC_SNAPSHOT_RETENTION, now: new Date() });
  await syncWorkflows(deps.temporal, deps.config).signal(connectorId, 'syncNow');
  return row;
}

export async function getReplay(db: Db, connectorId: string, replayId: string): Promise<SyncReplayRow | undefined> {
  return db.selectFrom('sync_replays').selectAll().where('connector_id', '=', connectorId).where('id', '=', replayId).executeTakeFirst();
}

/**
 * The replay a cycle beginning now runs, if any: a queued one (its records listed now), or one an
 * earlier cycle left unfinished (it resumes with what it has not applied).
 */
export async function claimReplay(db: Db, connectorId: string, cycleId: string, objects: readonly string[]): Promise<string | null> {
  return db.transaction().execute(async (tx) => {
    const replay = await tx
      .selectFrom('sync_replays')
      .select(['id', 'status', 'from_at', 'to_at'])
      .where('connector_id', '=', connectorId)
      .where('status', 'in', ['queued', 'running'])
      .orderBy(sql`status = 'running'`, 'desc')
      .orderBy('created_at')
      .limit(1)
      .forUpdate()
      .executeTakeFirst();
    if (!replay) return null;
    if (replay.status === 'queued') {
      const listed = await sql`
        insert into sync_replay_items (replay_id, object, external_id)
        select ${replay.id}::uuid, r.object, r.external_id from sync_records r
        where r.connector_id = ${connectorId} and r.snapshot is not null and r.object = any(${[...objects]}::text[])
          and ((r.crm_modstamp >= ${replay.from_at} and r.crm_modstamp < ${replay.to_at})
            or exists (select 1 from sync_record_versions v
              where v.connector_id = r.connector_id and v.object = r.object and v.external_id = r.external_id
                and (v.snapshot ->> 'SystemModstamp')::timestamptz >= ${replay.from_at} and (v.snapshot ->> 'SystemModstamp')::timestamptz < ${replay.to_at}))
        on conflict do nothing`.execute(tx);
      await tx.updateTable('sync_replays').set({ records: Number(listed.numAffectedRows ?? 0) }).where('id', '=', replay.id).execute();
    }
    await tx.updateTable('sync_replays').set({ status: 'running', cycle_id: cycleId }).where('id', '=', replay.id).execute();
    return replay.id;
  });
}

export interface ReplayBatchResult {
  state: 'more' | 'done';
  applied?: ApplyResult;
}

/** Re-applies the next batch of the cycle's replay (companies before people); the last call completes it. */
export async function replayBatch(db: Db, ctx: ApplyContext): Promise<ReplayBatchResult> {
  const replay = await db.selectFrom('sync_replays').select(['id']).where('connector_id', '=', ctx.connectorId).where('cycle_id', '=', ctx.cycleId).where('status', '=', 'running').executeTakeFirst();
  if (!replay) return { state: 'done' };
  for (const object of SYNC_OBJECTS.filter((o) => ctx.settings.objects.includes(o))) {
    const items = await db.selectFrom('sync_replay_items').select('external_id').where('replay_id', '=', replay.id).where('object', '=', object).orderBy('external_id').limit(REPLAY_BATCH).execute();
    if (items.length === 0) continue;
    const ids = items.map((i) => i.external_id);
    const applied = await db.transaction().execute(async (tx) => {
      const rows = await tx.selectFrom('sync_records').select(['external_id', 'snapshot']).where('connector_id', '=', ctx.connectorId).where('object', '=', object).where('external_id', 'in', ids).where('snapshot', 'is not', null).execute();
      await tx.deleteFrom('sync_replay_items').where('replay_id', '=', replay.id).where('object', '=', object).where('external_id', 'in', ids).execute();
      const result = await applyRecords(tx, ctx, object, rows.map((r) => ({ snapshot: { ...(r.snapshot as Record<string, unknown>), Id: r.external_id } as CrmSnapshot, fromCrm: false })));
      await addCycleCounts(tx, ctx.cycleId, { read: rows.length, applied: result.applied, skipped: result.skipped, codes: result.codes });
      return result;
    });
    return { state: 'more', applied };
  }
  await db.updateTable('sync_replays').set({ status: 'completed', ended_at: new Date() }).where('id', '=', replay.id).execute();
  return { state: 'done' };
}

/** Earlier snapshots, the push log and finished replays older than the retention go. */
export async function pruneHistory(db: Db, connectorId: string, retentionDays: number): Promise<{ versions: number; pushes: number }> {
  const horizon = sql<Date>`now() - ${`${retentionDays} days`}::interval`;
  const versions = await db.deleteFrom('sync_record_versions').where('connector_id', '=', connectorId).where('recorded_at', '<', horizon).executeTakeFirst();
  const pushes = await db.deleteFrom('sync_record_pushes').where('connector_id', '=', connectorId).where('pushed_at', '<', horizon).executeTakeFirst();
  await db.deleteFrom('sync_replays').where('connector_id', '=', connectorId).where('status', 'in', ['completed', 'failed']).where('created_at', '<', horizon).execute();
  return { versions: Number(versions.numDeletedRows), pushes: Number(pushes.numDeletedRows) };
}
