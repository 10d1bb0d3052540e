import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/database';

/**
 * Audit log: who did what through the API. Every authenticated write, and every read of the
 * audit log itself, is recorded with the route pattern and entity id, never the request body.
 */
export function registerAudit(app: FastifyInstance, db: Db): void {
  app.addHook('onResponse', async (request, reply) => {
    const principal = request.principal;
    if (!principal) return;
    const config = request.routeOptions.config;
    const isWrite = request.method !== 'GET' && request.method !== 'HEAD';
    if (!isWrite && config.permission !== 'audit:read') return;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const entityId = typeof params.id === 'string' ? params.id : null;
    try {
      await db
        .insertInto('audit_log')
        .values({
          request_id: request.id,
          user_id: principal.userId,
          api_key_id: principal.apiKeyId,
          role: principal.role,
          method: request.method,
          route: request.routeOptions.url ?? request.url,
          status_code: reply.statusCode,
          entity_type: config.auditEntity ?? null,
          entity_id: entityId,
        })
        .execute();
    } catch (err) {
      request.log.error({ err }, 'audit log write failed');
    }
  });
}
