import type { FastifyInstance } from 'fastify';
import { mailEventSignature } from '../../api/routes/mail-events';
import { createTrackingTokens, type TrackingPayload } from '../../domain/links/tracking-tokens';
import { testConfig } from '../harness/config';

/** Helpers of the edge tests: signed tokens and mail events. Seeding is test/harness/seed.ts. */

/** Tokens signed with the secret the test app verifies with. */
export const testTokens = () => createTrackingTokens(testConfig().TRACKING_SECRET!);
export const signToken = (payload: TrackingPayload) => testTokens().sign(payload);

/** POSTs mail events signed like the provider would (or with the given signature). */
export async function postMailEvents(app: FastifyInstance, body: unknown, signature?: string | null) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const sig = signature === undefined ? mailEventSignature(testConfig().MAIL_WEBHOOK_SECRET!, raw) : signature;
  return app.inject({ method: 'POST', url: '/v1/webhooks/mail-events', headers: { 'content-type': 'application/json', ...(sig !== null && { 'x-mail-signature': sig }) }, payload: raw });
}
