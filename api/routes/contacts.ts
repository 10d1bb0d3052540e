import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { normalizeEmail } from '../../domain/email-address';
import { badRequest, notFound, type ErrorDetail, standardErrors } from '../errors';
import { pageInCreationOrder } from '../pagination';
import { idParams, pageSchema } from '../schemas/common';
import { activitySchema, contactListQuery, contactSchema, createContactBody, toContactJson, updateContactBody } from '../schemas/contacts';
import { LIVE_STATUSES } from '../../db/enrollments';
import { listActivities } from './activity-pages';
import { signalEnrollmentsEnded } from './end-enrollments';
import type { ApiDeps } from '../types';

const errors = standardErrors;

/** References must point at existing rows; a dangling id is a 400 naming the field. */
async function checkReferences(db: Db, b: { companyId?: string | null; ownerId?: string | null }): Promise<void> {
  const details: ErrorDetail[] = [];
  if (b.companyId) {
    const c = await db.selectFrom('companies').select('id').where('id', '=', b.companyId).executeTakeFirst();
    if (!c) details.push({ path: 'body.companyId', problem: 'no company with this id' });
  }
  if (b.ownerId) {
    const u = await db.selectFrom('users').select('id').where('id', '=', b.ownerId).executeTakeFirst();
    if (!u) details.push({ path: 'body.ownerId', problem: 'no user with this id' });
  }
  if (details.length) throw badRequest(`Invalid request: ${details.map((d) => `${d.path} (${d.problem})`).join('; ')}`, details);
}

export function contactRoutes(app: FastifyInstance, { db, temporal }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const actor = (userId?: string) => `user:${userId ?? 'unknown'}`;

  r.post('/v1/contacts', {
    config: { permission: 'contacts:write', auditEntity: 'contact' },
    schema: { tags: ['contacts'], summary: 'Create a contact', body: createContactBody, response: { 201: contactSchema, ...errors } },
  }, async (req, reply) => {
    const b = req.body;
    await checkReferences(db, b);
    const row = await db
      .insertInto('contacts')
      .values({
        email: b.email ?? null,
        email_normalized: b.email ? normalizeEmail(b.email) : null,
        first_name: b.firstName ?? null,
        last_name: b.lastName ?? null,
        company_id: b.companyId ?? null,
        status: b.status,
        consent: b.consent,
        time_zone: b.timeZone ?? null,
        owner_id: b.ownerId ?? null,
        external_ids: '{}',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordActivity(db, { contactId: row.id, companyId: row.company_id, type: 'contact_created', actor: actor(req.principal?.userId) });
    return reply.code(201).send(toContactJson(row));
  });

  r.get('/v1/contacts', {
    config: { permission: 'contacts:read' },
    schema: { tags: ['contacts'], summary: 'List contacts (cursor pagination; filter by company, status, email)', querystring: contactListQuery, response: { 200: pageSchema(contactSchema), ...errors } },
  }, async (req) => {
    const q = req.query;
    let query = db.selectFrom('contacts').selectAll();
    if (q.companyId) query = query.where('company_id', '=', q.companyId);
    if (q.status) query = query.where('status', '=', q.status);
    if (q.email) query = query.where('email_normalized', '=', normalizeEmail(q.email));
    const { rows, nextCursor } = await pageInCreationOrder(query, q);
    return { items: rows.map(toContactJson), nextCursor };
  });

  r.get('/v1/contacts/:id', {
    config: { permission: 'contacts:read' },
    schema: { tags: ['contacts'], summary: 'Get a contact', params: idParams, response: { 200: contactSchema, ...errors } },
  }, async (req) => {
    const row = await db.selectFrom('contacts').selectAll().where('id', '=', req.params.id).executeTakeFirst();
    if (!row) throw notFound('Contact', req.params.id);
    return toContactJson(row);
  });

  r.patch('/v1/contacts/:id', {
    config: { permission: 'contacts:write', auditEntity: 'contact' },
    schema: { tags: ['contacts'], summary: 'Update a contact', params: idParams, body: updateContactBody, response: { 200: contactSchema, ...errors } },
  }, async (req) => {
    const b = req.body;
    await checkReferences(db, b);
    const row = await db
      .updateTable('contacts')
      .set({
        ...(b.email !== undefined && { email: b.email, email_normalized: b.email ? normalizeEmail(b.email) : null }),
        ...(b.firstName !== undefined && { first_name: b.firstName }),
        ...(b.lastName !== undefined && { last_name: b.lastName }),
        ...(b.companyId !== undefined && { company_id: b.companyId }),
        ...(b.status !== undefined && { status: b.status }),
        ...(b.consent !== undefined && { consent: b.consent }),
        ...(b.timeZone !== undefined && { time_zone: b.timeZone }),
        ...(b.ownerId !== undefined && { owner_id: b.ownerId }),
        updated_at: new Date(),
      })
      .where('id', '=', req.params.id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound('Contact', req.params.id);
    // Field names only: the values may be personal data.
    await recordActivity(db, { contactId: row.id, companyId: row.company_id, type: 'contact_updated', data: { fields: Object.keys(b) }, actor: actor(req.principal?.userId) });
    return toContactJson(row);
  });

  r.delete('/v1/contacts/:id', {
    config: { permission: 'contacts:write', auditEntity: 'contact' },
    schema: { tags: ['contacts'], summary: 'Delete a contact', params: idParams, response: { 204: z.null(), ...errors } },
  }, async (req, reply) => {
    // Live enrollments go with the contact (cascade); their workflows are told to stop sending.
    const live = await db.selectFrom('enrollments').select('id').where('contact_id', '=', req.params.id).where('status', 'in', LIVE_STATUSES).execute();
    const row = await db.deleteFrom('contacts').where('id', '=', req.params.id).returning(['id', 'company_id']).executeTakeFirst();
    if (!row) throw notFound('Contact', req.params.id);
    await recordActivity(db, { contactId: row.id, companyId: row.company_id, type: 'contact_deleted', data: { endedEnrollmentIds: live.map((e) => e.id) }, actor: actor(req.principal?.userId) });
    await signalEnrollmentsEnded(temporal, live.map((e) => e.id), 'CONTACT_DELETED', req.log);
    return reply.code(204).send(null);
  });

  r.get('/v1/contacts/:id/activities', {
    config: { permission: 'contacts:read' },
    schema: { tags: ['contacts'], summary: "A contact's activity log, newest first", params: idParams, querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(200).optional() }), response: { 200: pageSchema(activitySchema), ...errors } },
  }, async (req) => {
    const exists = await db.selectFrom('contacts').select('id').where('id', '=', req.params.id).executeTakeFirst();
    if (!exists) throw notFound('Contact', req.params.id);
    return listActivities(db, 'contact_id', req.params.id, req.query);
  });
}
