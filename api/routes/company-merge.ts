import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listDuplicateCompanies } from '../../services/companies/duplicates';
import { mergeCompanies } from '../../services/companies/merge';
import { actorOf } from '../actor';
import { errorResponseSchema, standardErrors } from '../errors';
import { idParams, pageQuery, pageSchema } from '../schemas/common';
import { companyMergeSchema, duplicateCompanyGroupSchema, mergeCompaniesBody, toCompanyMergeJson, toDuplicateGroupJson } from '../schemas/company-merge';
import type { ApiDeps } from '../types';

/** Duplicate companies and their merge (README "Account matching and company merge"). */
export function companyMergeRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['companies'];

  r.get('/v1/companies/duplicates', {
    config: { permission: 'companies:read' },
    schema: { tags, summary: 'Companies that look like one organisation: sharing a domain, a CRM account or an external id', querystring: z.strictObject(pageQuery), response: { 200: pageSchema(duplicateCompanyGroupSchema), ...standardErrors } },
  }, async (req) => {
    const { rows, nextCursor } = await listDuplicateCompanies(db, req.query);
    return { items: rows.map(toDuplicateGroupJson), nextCursor };
  });

  r.post('/v1/companies/:id/merge', {
    config: { permission: 'companies:merge', auditEntity: 'company' },
    schema: {
      tags,
      summary: 'Merge duplicate companies into this one: contacts, activity, deals, promotion and CRM links move here, domains are unioned, the duplicates become tombstones',
      params: idParams,
      body: mergeCompaniesBody,
      response: { 200: companyMergeSchema, ...standardErrors, 409: errorResponseSchema },
    },
  }, async (req) => toCompanyMergeJson(await mergeCompanies(db, req.params.id, req.body, actorOf(req))));
}
