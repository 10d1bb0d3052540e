import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addSuppression, listSuppressions, removeSuppression } from '../../db/suppressions';
import { normalizeEmail } from '../../domain/email-address';
import { badRequest, conflict, errorResponseSchema, notFound, standardErrors } from '../errors';
import { decodeCursor, encodeCursor, idParams, pageSchema } from '../schemas/common';
import { createSuppressionBody, deleteSuppressionBody, deleteSuppressionQuery, suppressionListQuery, suppressionSchema, toSuppressionJson } from '../schemas/suppressions';
import type { ApiDeps } from '../types';

const errors = { ...standardErrors, 409: errorResponseSchema };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The suppression list (admin writes; admin and compliance read). Removal needs a reason and is logged. */
export function suppressionRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/v1/suppressions', {
    config: { permission: 'suppressions:read' },
    schema: { tags: ['suppressions'], summary: 'List suppressions, newest first (cursor pagination; filter by address or reason)', querystring: suppressionListQuery, response: { 200: pageSchema(suppressionSchema), ...errors } },
  }, async (req) => {
    const q = req.query;
    const after = decodeCursor(q.cursor, 2);
    if (after && (!/^\d{1,20}$/.test(after[0]!) || !UUID.test(after[1]!))) {
      throw badRequest('Invalid cursor: pass back the nextCursor of a previous page.', [{ path: 'querystring.cursor', problem: 'not a cursor this API issued' }]);
    }
    const rows = await listSuppressions(db, { limit: q.limit, after: after as [string, string] | undefined, addressNormalized: q.address ? normalizeEmail(q.address) : undefined, reason: q.reason });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return { items: page.map(toSuppressionJson), nextCursor: rows.length > q.limit && last ? encodeCursor([last.cursor_micros, last.id]) : null };
  });

  // Idempotent: adding an address that is already suppressed returns the existing entry (200) and keeps its reason.
  r.post('/v1/suppressions', {
    config: { permission: 'suppressions:write', auditEntity: 'suppression' },
    schema: { tags: ['suppressions'], summary: 'Suppress an address (201 created; 200 with the existing entry if already suppressed)', body: createSuppressionBody, response: { 200: suppressionSchema, 201: suppressionSchema, ...errors } },
  }, async (req, reply) => {
    const b = req.body;
    const { row, created } = await addSuppression(db, { addressNormalized: normalizeEmail(b.address), reason: b.reason, note: b.note ?? null, actor: `user:${req.principal?.userId ?? 'unknown'}` });
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
    const reason = req.body?.reason ?? req.query.reason;
    if (!reason) throw badRequest('Invalid request: reason is required (why may this address be emailed again?)', [{ path: 'body.reason', problem: 'required (in the JSON body, or as ?reason=)' }]);
    const result = await removeSuppression(db, req.params.id, { removalReason: reason, actor: `user:${req.principal?.userId ?? 'unknown'}` });
    if (result.status === 'not_found') throw notFound('Suppression', req.params.id);
    if (result.status === 'erased') throw conflict('ERASED', 'This address was erased (GDPR): it stays suppressed permanently, as a keyed hash, and cannot be removed.');
    return reply.code(204).send(null);
  });
}
