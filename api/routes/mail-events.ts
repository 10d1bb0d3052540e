import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { applyMailEvents } from '../../services/mail-events/apply-mail-event';
import { ApiError, errorResponseSchema } from '../errors';
import { mailEventsBody, mailEventsResponse } from '../schemas/mail-events';
import type { ApiDeps } from '../types';

const INVALID_JSON = Symbol('invalid json');

/** HMAC-SHA256 of the exact bytes received, hex, compared in constant time. */
export function mailEventSignature(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

function signatureMatches(secret: string, rawBody: string, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(mailEventSignature(secret, rawBody));
  const given = Buffer.from(header.trim().toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Bounces, complaints and replies from the mail provider (or the reply-detecting mailbox sync),
 * matched to the outbox by Message-ID. Public, but only a caller holding MAIL_WEBHOOK_SECRET can
 * sign a body. Each event is processed once: redeliveries are reported as duplicates.
 */
export async function mailEventRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(async (scope) => {
    // The signature covers the raw bytes, so this scope keeps them instead of only the parsed JSON.
    const rawBodies = new WeakMap<FastifyRequest, string>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
      rawBodies.set(req, body as string);
      try {
        done(null, JSON.parse(body as string));
      } catch {
        // Reported after the signature check, so an unsigned caller learns nothing about parsing.
        done(null, INVALID_JSON);
      }
    });
    scope.addHook('preValidation', async (req) => {
      const secret = deps.config.MAIL_WEBHOOK_SECRET;
      if (!secret) {
        req.log.error('MAIL_WEBHOOK_SECRET is not set: mail events cannot be verified');
        throw new ApiError(503, 'NOT_CONFIGURED', 'Mail events cannot be accepted right now: the webhook secret is not configured.');
      }
      if (!signatureMatches(secret, rawBodies.get(req) ?? '', req.headers['x-mail-signature'])) {
        await app.access.authFailed(req);
        throw new ApiError(401, 'UNAUTHENTICATED', 'Missing or wrong X-Mail-Signature: expected "sha256=<hex HMAC-SHA256 of the raw body>".');
      }
      if (req.body === INVALID_JSON) throw new ApiError(400, 'INVALID_JSON', 'The body is not valid JSON.');
    });

    scope.withTypeProvider<ZodTypeProvider>().post('/v1/webhooks/mail-events', {
      config: { public: true },
      schema: {
        tags: ['webhooks'],
        summary: 'Bounces, complaints and replies, signed with X-Mail-Signature: sha256=<HMAC of the raw body with MAIL_WEBHOOK_SECRET>',
        body: mailEventsBody,
        response: { 200: mailEventsResponse, 400: errorResponseSchema, 401: errorResponseSchema },
      },
    }, async (req) => ({ results: await applyMailEvents({ db: deps.db, temporal: deps.temporal, log: req.log }, req.body.events) }));
  });
}
