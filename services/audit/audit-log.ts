import type { Db } from '../../db/database';
import { pageByIdDescending } from '../../db/pagination';

/** Who did what through the API, newest first. */
export function pageAuditLog(db: Db, q: { limit: number; cursor?: string; userId?: string; entityId?: string }) {
  let query = db.selectFrom('audit_log').selectAll();
  if (q.userId) query = query.where('user_id', '=', q.userId);
  if (q.entityId) query = query.where('entity_id', '=', q.entityId);
  return pageByIdDescending(query, q);
}

export interface AuditEntry {
  requestId: string;
  clientRequestId: string | null;
  userId: string | null;
  apiKeyId: string | null;
  role: string | null;
  method: string;
  route: string;
  statusCode: number;
  entityType: string | null;
  entityId: string | null;
}

export async function recordAuditEntry(db: Db, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ request_id: e.requestId, client_request_id: e.clientRequestId, user_id: e.userId, api_key_id: e.apiKeyId, role: e.role, method: e.method, route: e.route, status_code: e.statusCode, entity_type: e.entityType, entity_id: e.entityId })
    .execute();
}

/** Failed authentications are kept this long (they are for spotting key guessing, not history). */
export const AUTH_FAILURE_RETENTION_MS = 30 * 86_400_000;
const PRUNE_EVERY = 500;
let failuresSincePrune = 0;

/**
 * A failed authentication (API key, PSA integration key, signed webhook): in the audit log, never on a
 * customer-visible record. The presented key is never stored. Old failures are pruned as new ones
 * arrive, so a flood cannot grow the log without bound (the per-address limit caps the rate).
 */
export async function recordAuthFailure(db: Db, e: { requestId: string; clientRequestId: string | null; method: string; route: string; clientAddress: string; nowMs: number }): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ request_id: e.requestId, client_request_id: e.clientRequestId, client_address: e.clientAddress, outcome: 'auth_failed', user_id: null, api_key_id: null, role: null, method: e.method, route: e.route, status_code: 401, entity_type: null, entity_id: null })
    .execute();
  if (++failuresSincePrune >= PRUNE_EVERY) {
    failuresSincePrune = 0;
    await db.deleteFrom('audit_log').where('outcome', '=', 'auth_failed').where('occurred_at', '<', new Date(e.nowMs - AUTH_FAILURE_RETENTION_MS)).execute();
  }
}
