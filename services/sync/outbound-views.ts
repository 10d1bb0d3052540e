/**
 * The outbound queue as operators see it (`GET /v1/connectors/:id/outbound?state=&code=&kind=`): each
 * local record waiting to be pushed, parked by a rule (its code and checks) or refused by the CRM
 * (Salesforce's error code, attempts). Ids, codes and field names only.
 */
import type { Db } from '../../db/database';
import { cursorPart, decodeCursor, encodeCursor, type Page } from '../../db/pagination';
import { OUTBOUND_KINDS, type OutboundKind, type OutboundState } from '../../domain/sync/vocabulary';
import { requireConnector } from './connector-store';

export interface OutboundEntryJson {
  kind: OutboundKind;
  localId: string;
  contactId: string | null;
  state: OutboundState;
  code: string | null;
  errorCode: string | null;
  attempts: number;
  priority: number;
  decision: { outcome: string | null; code: string | null; checks: Array<{ rule: string; pass: boolean; code: string | null; detail?: string }> } | null;
  enqueuedAt: string;
  decidedAt: string | null;
}

export async function listOutbound(db: Db, connectorId: string, q: { limit: number; cursor?: string; state?: OutboundState; code?: string; kind?: OutboundKind }): Promise<Page<OutboundEntryJson>> {
  await requireConnector(db, connectorId);
  const after = decodeCursor(q.cursor, [(v) => (OUTBOUND_KINDS as readonly string[]).includes(v), cursorPart.any]);
  let query = db.selectFrom('sync_outbound').selectAll().where('connector_id', '=', connectorId);
  if (q.state) query = query.where('state', '=', q.state);
  if (q.code) query = query.where('code', '=', q.code);
  if (q.kind) query = query.where('local_kind', '=', q.kind);
  if (after) query = query.where((eb) => eb.or([eb('local_kind', '>', after[0] as OutboundKind), eb.and([eb('local_kind', '=', after[0] as OutboundKind), eb('local_id', '>', after[1]!)])]));
  const rows = await query.orderBy('local_kind').orderBy('local_id').limit(q.limit + 1).execute();
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  return {
    rows: items.map((r) => {
      const d = r.decision as { outcome?: string; code?: string | null; checks?: OutboundEntryJson['decision'] extends infer D ? (D extends { checks: infer C } ? C : never) : never };
      return {
        kind: r.local_kind,
        localId: r.local_id,
        contactId: r.contact_id,
        state: r.state,
        code: r.code,
        errorCode: r.error_code,
        attempts: r.attempts,
        priority: r.priority,
        decision: d.outcome ? { outcome: d.outcome, code: d.code ?? null, checks: d.checks ?? [] } : null,
        enqueuedAt: r.enqueued_at.toISOString(),
        decidedAt: r.decided_at ? r.decided_at.toISOString() : null,
      };
    }),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.local_kind, last.local_id]) : null,
  };
}
