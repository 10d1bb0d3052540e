import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponseSchema } from '../errors';
import { pageAuditLog } from '../../services/audit/audit-log';
import { pageSchema } from '../schemas/common';
import type { ApiDeps } from '../types';

const auditEntry = z
  .object({ id: z.string(), requestId: z.string(), userId: z.string().nullable(), role: z.string().nullable(), method: z.string(), route: z.string(), statusCode: z.number(), entityType: z.string().nullable(), entityId: z.string().nullable(), occurredAt: z.string() })
  .meta({ id: 'AuditEntry' });

export function auditRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/audit-log', {
    config: { permission: 'audit:read' },
    schema: {
      tags: ['audit'],
      summary: 'Who did what through the API, newest first',
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(200).optional(), userId: z.uuid().optional(), entityId: z.string().max(100).optional() }),
      response: { 200: pageSchema(auditEntry), 400: errorResponseSchema, 401: errorResponseSchema, 403: errorResponseSchema },
    },
  }, async (req) => {
    const { rows, nextCursor } = await pageAuditLog(db, req.query);
    return {
      items: rows.map((a) => ({ id: a.id, requestId: a.request_id, userId: a.user_id, role: a.role, method: a.method, route: a.route, statusCode: a.status_code, entityType: a.entity_type, entityId: a.entity_id, occurredAt: a.occurred_at.toISOString() })),
      nextCursor,
    };
  });
}
