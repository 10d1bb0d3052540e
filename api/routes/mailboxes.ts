import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { mailboxService } from '../../services/mailboxes/mailboxes';
import { standardErrors } from '../errors';
import { idParams, pageQuery, pageSchema } from '../schemas/common';
import { createMailboxBody, mailboxSchema, toMailboxJson, updateMailboxBody } from '../schemas/mailboxes';
import type { ApiDeps } from '../types';

const errors = standardErrors;

/** Mailboxes (admin). Secrets are write-only (`hasSecret`). */
export function mailboxRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const mailboxes = mailboxService(deps);

  r.post('/v1/mailboxes', {
    config: { permission: 'mailboxes:write', auditEntity: 'mailbox' },
    schema: { tags: ['mailboxes'], summary: 'Create a mailbox (SMTP or Microsoft 365)', body: createMailboxBody, response: { 201: mailboxSchema, ...errors } },
  }, async (req, reply) => reply.code(201).send(toMailboxJson(await mailboxes.create(req.body))));

  r.get('/v1/mailboxes', {
    config: { permission: 'mailboxes:read' },
    schema: { tags: ['mailboxes'], summary: 'List mailboxes', querystring: z.strictObject(pageQuery), response: { 200: pageSchema(mailboxSchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await mailboxes.list(req.query);
    return { items: rows.map(toMailboxJson), nextCursor };
  });

  r.get('/v1/mailboxes/:id', {
    config: { permission: 'mailboxes:read' },
    schema: { tags: ['mailboxes'], summary: 'Get a mailbox', params: idParams, response: { 200: mailboxSchema, ...errors } },
  }, async (req) => toMailboxJson(await mailboxes.get(req.params.id)));

  r.patch('/v1/mailboxes/:id', {
    config: { permission: 'mailboxes:write', auditEntity: 'mailbox' },
    schema: { tags: ['mailboxes'], summary: 'Update, connect / disconnect, enable / disable sync', params: idParams, body: updateMailboxBody, response: { 200: mailboxSchema, ...errors } },
  }, async (req) => toMailboxJson(await mailboxes.update(req.params.id, req.body)));
}
