import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordActivity } from '../../db/activity-log';
import { ApiError, errorResponseSchema, notFound, standardErrors } from '../errors';
import { companyListQuery, companySchema, createCompanyBody, toCompanyJson, updateCompanyBody } from '../schemas/companies';
import { pageInCreationOrder } from '../pagination';
import { idParams, pageSchema } from '../schemas/common';
import { activitySchema } from '../schemas/contacts';
import { listActivities } from './activity-pages';
import type { ApiDeps } from '../types';

const errors = standardErrors;

export function companyRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const actor = (userId?: string) => `user:${userId ?? 'unknown'}`;

  r.post('/v1/companies', {
    config: { permission: 'companies:write', auditEntity: 'company' },
    schema: { tags: ['companies'], summary: 'Create a company', body: createCompanyBody, response: { 201: companySchema, ...errors } },
  }, async (req, reply) => {
    const b = req.body;
    const row = await db
      .insertInto('companies')
      .values({ name: b.name, domains: b.domains ?? [], status: b.status, type: b.type ?? null, external_ids: '{}' })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordActivity(db, { companyId: row.id, type: 'company_created', actor: actor(req.principal?.userId) });
    return reply.code(201).send(toCompanyJson(row));
  });

  r.get('/v1/companies', {
    config: { permission: 'companies:read' },
    schema: { tags: ['companies'], summary: 'List companies (cursor pagination)', querystring: companyListQuery, response: { 200: pageSchema(companySchema), ...errors } },
  }, async (req) => {
    const q = req.query;
    let query = db.selectFrom('companies').selectAll();
    if (q.status) query = query.where('status', '=', q.status);
    if (q.domain) query = query.where('domains', '@>', [q.domain]);
    const { rows, nextCursor } = await pageInCreationOrder(query, q);
    return { items: rows.map(toCompanyJson), nextCursor };
  });

  r.get('/v1/companies/:id', {
    config: { permission: 'companies:read' },
    schema: { tags: ['companies'], summary: 'Get a company', params: idParams, response: { 200: companySchema, ...errors } },
  }, async (req) => {
    const row = await db.selectFrom('companies').selectAll().where('id', '=', req.params.id).executeTakeFirst();
    if (!row) throw notFound('Company', req.params.id);
    return toCompanyJson(row);
  });

  r.patch('/v1/companies/:id', {
    config: { permission: 'companies:write', auditEntity: 'company' },
    schema: { tags: ['companies'], summary: 'Update a company', params: idParams, body: updateCompanyBody, response: { 200: companySchema, ...errors } },
  }, async (req) => {
    const b = req.body;
    const row = await db
      .updateTable('companies')
      .set({
        ...(b.name !== undefined && { name: b.name }),
        ...(b.domains !== undefined && { domains: b.domains }),
        ...(b.status !== undefined && { status: b.status }),
        ...(b.type !== undefined && { type: b.type }),
        updated_at: new Date(),
      })
      .where('id', '=', req.params.id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound('Company', req.params.id);
    await recordActivity(db, { companyId: row.id, type: 'company_updated', data: { fields: Object.keys(b) }, actor: actor(req.principal?.userId) });
    return toCompanyJson(row);
  });

  r.delete('/v1/companies/:id', {
    config: { permission: 'companies:write', auditEntity: 'company' },
    schema: { tags: ['companies'], summary: 'Delete a company (its contacts stay, unlinked)', params: idParams, response: { 204: z.null(), ...errors, 409: errorResponseSchema } },
  }, async (req, reply) => {
    const row = await db.selectFrom('companies').select(['id', 'psa_client_id']).where('id', '=', req.params.id).executeTakeFirst();
    if (!row) throw notFound('Company', req.params.id);
    if (row.psa_client_id) throw new ApiError(409, 'COMPANY_LINKED_TO_PSA', 'The company is linked to a PSA client; unlink it in the PSA before deleting it.');
    await db.deleteFrom('companies').where('id', '=', req.params.id).execute();
    await recordActivity(db, { companyId: row.id, type: 'company_deleted', actor: actor(req.principal?.userId) });
    return reply.code(204).send(null);
  });

  r.get('/v1/companies/:id/activities', {
    config: { permission: 'companies:read' },
    schema: { tags: ['companies'], summary: "A company's activity log", params: idParams, querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(200).optional() }), response: { 200: pageSchema(activitySchema), ...errors } },
  }, async (req) => {
    const exists = await db.selectFrom('companies').select('id').where('id', '=', req.params.id).executeTakeFirst();
    if (!exists) throw notFound('Company', req.params.id);
    return listActivities(db, 'company_id', req.params.id, req.query);
  });
}
