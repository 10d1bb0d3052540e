import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { companyActivities, createCompany, deleteCompany, getCompany, listCompanies, updateCompany } from '../../services/companies/companies';
import { actorOf } from '../actor';
import { errorResponseSchema, standardErrors } from '../errors';
import { activitySchema, toActivityJson } from '../schemas/activity-log';
import { idParams, pageQuery, pageSchema } from '../schemas/common';
import { companyListQuery, companySchema, createCompanyBody, toCompanyJson, updateCompanyBody } from '../schemas/companies';
import type { ApiDeps } from '../types';

const errors = standardErrors;

export function companyRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/v1/companies', {
    config: { permission: 'companies:write', auditEntity: 'company' },
    schema: { tags: ['companies'], summary: 'Create a company', body: createCompanyBody, response: { 201: companySchema, ...errors } },
  }, async (req, reply) => reply.code(201).send(toCompanyJson(await createCompany(db, req.body, actorOf(req)))));

  r.get('/v1/companies', {
    config: { permission: 'companies:read' },
    schema: { tags: ['companies'], summary: 'List companies (cursor pagination)', querystring: companyListQuery, response: { 200: pageSchema(companySchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await listCompanies(db, req.query);
    return { items: rows.map(toCompanyJson), nextCursor };
  });

  r.get('/v1/companies/:id', {
    config: { permission: 'companies:read' },
    schema: { tags: ['companies'], summary: 'Get a company', params: idParams, response: { 200: companySchema, ...errors } },
  }, async (req) => toCompanyJson(await getCompany(db, req.params.id)));

  r.patch('/v1/companies/:id', {
    config: { permission: 'companies:write', auditEntity: 'company' },
    schema: { tags: ['companies'], summary: 'Update a company (a merged one: 409 COMPANY_MERGED)', params: idParams, body: updateCompanyBody, response: { 200: companySchema, ...errors, 409: errorResponseSchema } },
  }, async (req) => toCompanyJson(await updateCompany(db, req.params.id, req.body, actorOf(req))));

  r.delete('/v1/companies/:id', {
    config: { permission: 'companies:write', auditEntity: 'company' },
    schema: { tags: ['companies'], summary: 'Delete a company (its contacts stay, unlinked)', params: idParams, response: { 204: z.null(), ...errors, 409: errorResponseSchema } },
  }, async (req, reply) => {
    await deleteCompany(db, req.params.id, actorOf(req));
    return reply.code(204).send(null);
  });

  r.get('/v1/companies/:id/activities', {
    config: { permission: 'companies:read' },
    schema: { tags: ['companies'], summary: "A company's activity log", params: idParams, querystring: z.strictObject(pageQuery), response: { 200: pageSchema(activitySchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await companyActivities(db, req.params.id, req.query);
    return { items: rows.map(toActivityJson), nextCursor };
  });
}
