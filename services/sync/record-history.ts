/**
 * `GET /v1/connectors/:id/records/:externalId/history`: a CRM record's snapshots and decisions over
 * time — each earlier version (kept CRM_SYNC_SNAPSHOT_RETENTION days), the current state, and every
 * write the connector pushed to it — oldest first. Snapshots are shown as the CRM's modification time
 * and the names of the fields that changed from the previous one, never their values (operators read
 * this).
 */
import type { Db } from '../../db/database';
import { expandChecks, type ReadCheck } from '../../domain/sync/stored-checks';
import type { SyncObject } from '../../domain/sync/vocabulary';
import { notFound } from '../errors';
import { requireConnector } from './connector-store';

export interface HistoryDecisionJson {
  outcome: string | null;
  code: string | null;
  direction: 'inbound' | 'outbound';
  checks: Array<{ rule: string; pass: boolean; code: string | null; detail?: string }>;
  conflicts: Array<{ field: string; code: string }>;
}

export type HistoryEntryJson =
  | { kind: 'snapshot'; at: string; current: boolean; cycleId: string | null; status: string; code: string | null; decision: HistoryDecisionJson; snapshot: { crmModifiedAt: string | null; changedFields: string[] } | null }
  | { kind: 'push'; at: string; cycleId: string | null; outcome: string; code: string | null; errorCode: string | null; fields: string[] };

export interface RecordHistoryJson {
  connectorId: string;
  object: SyncObject;
  externalId: string;
  entries: HistoryEntryJson[];
}

function decisionOf(raw: Record<string, unknown>): HistoryDecisionJson {
  const d = raw as { outcome?: string; code?: string | null; direction?: string; checks?: Array<ReadCheck | string>; conflicts?: HistoryDecisionJson['conflicts'] };
  return { outcome: d.outcome ?? null, code: d.code ?? null, direction: d.direction === 'outbound' ? 'outbound' : 'inbound', checks: expandChecks(d.checks).map((c) => ({ rule: c.rule, pass: c.pass, code: c.code ?? null, ...(c.detail ? { detail: c.detail } : {}) })), conflicts: d.conflicts ?? [] };
}

function changedFields(prev: Record<string, unknown> | null, next: Record<string, unknown> | null): string[] {
  if (!next) return [];
  const keys = new Set([...Object.keys(prev ?? {}), ...Object.keys(next)]);
  keys.delete('SystemModstamp');
  return [...keys].filter((k) => JSON.stringify(prev?.[k] ?? null) !== JSON.stringify(next[k] ?? null)).sort();
}

const stampOf = (s: Record<string, unknown> | null): string | null => (s && typeof s.SystemModstamp === 'string' ? s.SystemModstamp : null);

export async function recordHistory(db: Db, connectorId: string, externalId: string): Promise<RecordHistoryJson> {
  await requireConnector(db, connectorId);
  const current = await db.selectFrom('sync_records').selectAll().where('connector_id', '=', connectorId).where('external_id', '=', externalId).executeTakeFirst();
  if (!current) throw notFound('CRM record', externalId);
  const [versions, pushes] = await Promise.all([
    db.selectFrom('sync_record_versions').selectAll().where('connector_id', '=', connectorId).where('object', '=', current.object).where('external_id', '=', externalId).orderBy('id').execute(),
    db.selectFrom('sync_record_pushes').selectAll().where('connector_id', '=', connectorId).where('external_id', '=', externalId).orderBy('id').execute(),
  ]);
  const snapshots = [
    ...versions.map((v) => ({ at: v.recorded_at, current: false, cycleId: v.cycle_id, status: v.status, code: v.code, decision: v.decision, snapshot: v.snapshot })),
    { at: current.updated_at, current: true, cycleId: current.last_cycle_id, status: current.status, code: current.code, decision: current.decision, snapshot: current.snapshot },
  ];
  const entries: Array<HistoryEntryJson & { sortAt: number }> = snapshots.map((s, i) => ({
    kind: 'snapshot',
    sortAt: s.at.getTime(),
    at: s.at.toISOString(),
    current: s.current,
    cycleId: s.cycleId,
    status: s.status,
    code: s.code,
    decision: decisionOf(s.decision),
    snapshot: s.snapshot ? { crmModifiedAt: stampOf(s.snapshot), changedFields: changedFields(i > 0 ? snapshots[i - 1]!.snapshot : null, s.snapshot) } : null,
  }));
  for (const p of pushes) entries.push({ kind: 'push', sortAt: p.pushed_at.getTime(), at: p.pushed_at.toISOString(), cycleId: p.cycle_id, outcome: p.outcome, code: p.code, errorCode: p.error_code, fields: p.fields });
  entries.sort((a, b) => a.sortAt - b.sortAt);
  return { connectorId, object: current.object, externalId, entries: entries.map(({ sortAt: _sortAt, ...e }) => e as HistoryEntryJson) };
}
