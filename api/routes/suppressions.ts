import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pageSuppressions, suppressAddress, unsuppress } from '../../services/suppressions/suppressions';
import { actorOf } from '../actor';
import { errorResponseSchema, standardErrors } from '../errors';
import { idParams, pageSchema } from '../schemas/common';
import { createSuppressionBody, deleteSuppressionBody, deleteSuppressionQuery, suppressionListQuery, suppressionSchema, toSuppressionJson } from '../schemas/suppressions';
import type { ApiDeps } from '../types';

const errors = { ...standardErrors, 409: errorResponseSchema };

/** The suppression list (admin writes; admin and compliance read). Removal needs a reason and is logged. */
export function suppressionRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/v1/suppressions', {
    config: { permission: 'suppressions:read' },
    schema: { tags: ['suppressions'], summary: 'List suppressions, newest first (cursor pagination; filter by address or reason)', querystring: suppressionListQuery, response: { 200: pageSchema(suppressionSchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await pageSuppressions(db, req.query);
    return { items: rows.map(toSuppressionJson), nextCursor };
  });

  r.post('/v1/suppressions', {
    config: { permission: 'suppressions:write', auditEntity: 'suppression' },
    schema: { tags: ['suppressions'], summary: 'Suppress an address (201 created; 200 with the existing entry if already suppressed)', body: createSuppressionBody, response: { 200: suppressionSchema, 201: suppressionSchema, ...errors } },
  }, async (req, reply) => {
    const { row, created } = await suppressAddress(db, req.body, actorOf(req));
    return reply.code(created ? 201 : 200).send(toSuppressionJson(row));
  });

  r.delete('/v1/suppressions/:id', {
    config: { permission: 'suppressions:write', auditEntity: 'suppression' },
    schema: {
      tags: ['suppressions'],
      summary: 'Remove a suppression; `reason` (body or query) is required and recorded. Erased addresses cannot be removed.',
      params: idParams,
      querystring: deleteSuppressionQuery,
      body: deleteSuppressionBody,
      response: { 204: z.null(), ...errors },
    },
  }, async (req, reply) => {
    await unsuppress(db, req.params.id, req.body?.reason ?? req.query.reason, actorOf(req));
    return reply.code(204).send(null);
  });
}
