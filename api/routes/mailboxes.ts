import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { liveEnrollmentIdsOfMailbox } from '../../db/enrollments';
import { createSecretBox, type SecretBox } from '../../db/secret-box';
import { ApiError, notFound, standardErrors } from '../errors';
import { fieldErrors } from '../schemas/field-errors';
import { pageInCreationOrder } from '../pagination';
import { idParams, pageSchema, pageQuery } from '../schemas/common';
import { createMailboxBody, mailboxSchema, toMailboxJson, updateMailboxBody, type MailboxRow } from '../schemas/mailboxes';
import type { ApiDeps } from '../types';
import { signalEnrollments } from './enrollment-workflows';

const errors = standardErrors;

const canSend = (m: Pick<MailboxRow, 'connected' | 'sync_enabled'>) => m.connected && m.sync_enabled;

/**
 * Mailboxes (admin). Secrets (SMTP password, M365 client secret) are write-only: stored encrypted
 * (SECRETS_KEY) in `secret`, reported as `hasSecret`. Connect / disconnect / sync on-off are PATCHes of
 * `connected` / `syncEnabled`; a change wakes the enrollments that send through the mailbox.
 */
export function mailboxRoutes(app: FastifyInstance, { db, temporal, config }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const box: SecretBox | undefined = config.SECRETS_KEY ? createSecretBox(config.SECRETS_KEY) : undefined;
  /** A credential as stored: sealed; refused (nothing written) when there is no key to seal it with. */
  const seal = <T extends string | null | undefined>(secret: T): T => {
    if (secret === null || secret === undefined) return secret;
    if (!box) throw new ApiError(503, 'SECRETS_KEY_NOT_CONFIGURED', 'Mailbox credentials are stored encrypted and SECRETS_KEY is not set on the API; set it (npm start does) and try again.');
    return box.seal(secret) as T;
  };

  r.post('/v1/mailboxes', {
    config: { permission: 'mailboxes:write', auditEntity: 'mailbox' },
    schema: { tags: ['mailboxes'], summary: 'Create a mailbox (SMTP or Microsoft 365)', body: createMailboxBody, response: { 201: mailboxSchema, ...errors } },
  }, async (req, reply) => {
    const b = req.body;
    const settings = b.smtp
      ? { host: b.smtp.host, port: b.smtp.port, secure: b.smtp.secure, user: b.smtp.user ?? null }
      : { tenantId: b.m365?.tenantId, clientId: b.m365?.clientId };
    const row = await db
      .insertInto('mailboxes')
      .values({
        provider: b.provider,
        address: b.address,
        display_name: b.displayName ?? null,
        connected: b.connected,
        sync_enabled: b.syncEnabled,
        daily_limit: b.dailyLimit,
        per_minute_limit: b.perMinuteLimit,
        settings: JSON.stringify(settings),
        secret: seal((b.smtp ? b.smtp.password : b.m365?.clientSecret) ?? null),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return reply.code(201).send(toMailboxJson(row));
  });

  r.get('/v1/mailboxes', {
    config: { permission: 'mailboxes:read' },
    schema: { tags: ['mailboxes'], summary: 'List mailboxes', querystring: z.strictObject(pageQuery), response: { 200: pageSchema(mailboxSchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await pageInCreationOrder(db.selectFrom('mailboxes').selectAll(), req.query);
    return { items: rows.map(toMailboxJson), nextCursor };
  });

  r.get('/v1/mailboxes/:id', {
    config: { permission: 'mailboxes:read' },
    schema: { tags: ['mailboxes'], summary: 'Get a mailbox', params: idParams, response: { 200: mailboxSchema, ...errors } },
  }, async (req) => {
    const row = await db.selectFrom('mailboxes').selectAll().where('id', '=', req.params.id).executeTakeFirst();
    if (!row) throw notFound('Mailbox', req.params.id);
    return toMailboxJson(row);
  });

  r.patch('/v1/mailboxes/:id', {
    config: { permission: 'mailboxes:write', auditEntity: 'mailbox' },
    schema: { tags: ['mailboxes'], summary: 'Update, connect / disconnect, enable / disable sync', params: idParams, body: updateMailboxBody, response: { 200: mailboxSchema, ...errors } },
  }, async (req) => {
    const b = req.body;
    const before = await db.selectFrom('mailboxes').selectAll().where('id', '=', req.params.id).executeTakeFirst();
    if (!before) throw notFound('Mailbox', req.params.id);
    const wrong = before.provider === 'smtp' ? 'm365' : 'smtp';
    if (b[wrong] !== undefined) {
      throw fieldErrors([{ path: `body.${wrong}`, problem: `not allowed: the mailbox provider is "${before.provider}"` }]);
    }
    const settings = b.smtp
      ? { host: b.smtp.host, port: b.smtp.port, secure: b.smtp.secure, user: b.smtp.user ?? null }
      : b.m365
        ? { tenantId: b.m365.tenantId, clientId: b.m365.clientId }
        : undefined;
    // An omitted secret keeps the stored one; an explicit null (SMTP password) clears it.
    const secret = seal(b.smtp?.password !== undefined ? b.smtp.password : b.m365?.clientSecret);
    const row = await db
      .updateTable('mailboxes')
      .set({
        ...(b.address !== undefined && { address: b.address }),
        ...(b.displayName !== undefined && { display_name: b.displayName }),
        ...(b.connected !== undefined && { connected: b.connected }),
        ...(b.syncEnabled !== undefined && { sync_enabled: b.syncEnabled }),
        ...(b.dailyLimit !== undefined && { daily_limit: b.dailyLimit }),
        ...(b.perMinuteLimit !== undefined && { per_minute_limit: b.perMinuteLimit }),
        ...(settings && { settings: JSON.stringify(settings) }),
        ...(secret !== undefined && { secret }),
        updated_at: new Date(),
      })
      .where('id', '=', req.params.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // Enrollments holding on MAILBOX_NOT_CONNECTED / MAILBOX_SYNC_DISABLED re-check now instead of at their safety timer.
    if (canSend(before) !== canSend(row)) {
      await signalEnrollments(temporal, await liveEnrollmentIdsOfMailbox(db, row.id), { kind: 'gatesChanged' });
    }
    return toMailboxJson(row);
  });
}
