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
    .values({ request_id: e.requestId, user_id: e.userId, api_key_id: e.apiKeyId, role: e.role, method: e.method, route: e.route, status_code: e.statusCode, entity_type: e.entityType, entity_id: e.entityId })
    .execute();
}
