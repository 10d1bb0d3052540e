import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireSetting } from '../../domain/config';
import { contactActivities, createContact, deleteContact, getContact, listContacts, updateContact } from '../../services/contacts/contacts';
import { actorOf } from '../actor';
import { errorResponseSchema, standardErrors } from '../errors';
import { activitySchema, toActivityJson } from '../schemas/activity-log';
import { idParams, pageQuery, pageSchema } from '../schemas/common';
import { contactListQuery, contactSchema, createContactBody, toContactJson, updateContactBody } from '../schemas/contacts';
import type { ApiDeps } from '../types';

const errors = standardErrors;

export function contactRoutes(app: FastifyInstance, { db, temporal, config }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const guard = { erasureSecret: requireSetting(config, 'ERASURE_HASH_SECRET') };

  r.post('/v1/contacts', {
    config: { permission: 'contacts:write', auditEntity: 'contact' },
    schema: { tags: ['contacts'], summary: 'Create a contact', body: createContactBody, response: { 201: contactSchema, ...errors, 409: errorResponseSchema } },
  }, async (req, reply) => reply.code(201).send(toContactJson(await createContact(db, req.body, actorOf(req), guard))));

  r.get('/v1/contacts', {
    config: { permission: 'contacts:read' },
    schema: { tags: ['contacts'], summary: 'List contacts (cursor pagination; filter by company, status, email)', querystring: contactListQuery, response: { 200: pageSchema(contactSchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await listContacts(db, req.query);
    return { items: rows.map(toContactJson), nextCursor };
  });

  r.get('/v1/contacts/:id', {
    config: { permission: 'contacts:read' },
    schema: { tags: ['contacts'], summary: 'Get a contact', params: idParams, response: { 200: contactSchema, ...errors } },
  }, async (req) => toContactJson(await getContact(db, req.params.id)));

  r.patch('/v1/contacts/:id', {
    config: { permission: 'contacts:write', auditEntity: 'contact' },
    schema: { tags: ['contacts'], summary: 'Update a contact', params: idParams, body: updateContactBody, response: { 200: contactSchema, ...errors, 409: errorResponseSchema } },
  }, async (req) => toContactJson(await updateContact(db, req.params.id, req.body, actorOf(req), guard)));

  r.delete('/v1/contacts/:id', {
    config: { permission: 'contacts:write', auditEntity: 'contact' },
    schema: { tags: ['contacts'], summary: 'Delete a contact (its live enrollments end with CONTACT_DELETED)', params: idParams, response: { 204: z.null(), ...errors } },
  }, async (req, reply) => {
    await deleteContact({ db, temporal, log: req.log }, req.params.id, actorOf(req));
    return reply.code(204).send(null);
  });

  r.get('/v1/contacts/:id/activities', {
    config: { permission: 'contacts:read' },
    schema: { tags: ['contacts'], summary: "A contact's activity log, newest first", params: idParams, querystring: z.strictObject(pageQuery), response: { 200: pageSchema(activitySchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await contactActivities(db, req.params.id, req.query);
    return { items: rows.map(toActivityJson), nextCursor };
  });
}
