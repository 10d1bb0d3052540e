import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/database';
import { recordAuditEntry } from '../../services/audit/audit-log';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id a create action returned (201/202 with a JSON body holding `id`), for routes without `:id`. */
function createdId(statusCode: number, payload: unknown): string | null {
  if ((statusCode !== 201 && statusCode !== 202) || typeof payload !== 'string' || !payload.startsWith('{')) return null;
  try {
    const id = (JSON.parse(payload) as { id?: unknown }).id;
    return typeof id === 'string' && UUID.test(id) ? id : null;
  } catch {
    return null;
  }
}

/**
 * Audit log: who did what through the API. Every authenticated write, and every read of the
 * audit log itself, is recorded with the route pattern and the entity id (the path's, or the one a
 * create returned), never the request body. Written before the response leaves (onSend), so an action
 * the client saw is already on record. Failed authentications are audited by the auth plugin.
 */
export function registerAudit(app: FastifyInstance, db: Db): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const principal = request.principal;
    if (!principal) return;
    const config = request.routeOptions.config;
    const isWrite = request.method !== 'GET' && request.method !== 'HEAD';
    if (!isWrite && config.permission !== 'audit:read') return;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const entityId = typeof params.id === 'string' ? params.id : createdId(reply.statusCode, payload);
    try {
      await recordAuditEntry(db, {
        requestId: request.id,
        clientRequestId: request.clientRequestId ?? null,
        userId: principal.userId,
        apiKeyId: principal.apiKeyId,
        role: principal.role,
        method: request.method,
        route: request.routeOptions.url ?? request.url,
        statusCode: reply.statusCode,
        entityType: config.auditEntity ?? null,
        entityId,
      });
    } catch (err) {
      request.log.error({ err }, 'audit log write failed');
    }
  });
}
