import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/database';
import { recordAuditEntry } from '../../services/audit/audit-log';

/**
 * Audit log: who did what through the API. Every authenticated write, and every read of the
 * audit log itself, is recorded with the route pattern and entity id, never the request body.
 * Written before the response leaves (onSend), so an action the client saw is already on record.
 */
export function registerAudit(app: FastifyInstance, db: Db): void {
  app.addHook('onSend', async (request, reply) => {
    const principal = request.principal;
    if (!principal) return;
    const config = request.routeOptions.config;
    const isWrite = request.method !== 'GET' && request.method !== 'HEAD';
    if (!isWrite && config.permission !== 'audit:read') return;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const entityId = typeof params.id === 'string' ? params.id : null;
    try {
      await recordAuditEntry(db, {
        requestId: request.id,
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
