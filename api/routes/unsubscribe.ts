import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sendExists, unsubscribeBySend, unsubscribeContact } from '../../services/contacts/unsubscribe';
import { actorOf } from '../actor';
import { standardErrors } from '../errors';
import { htmlPage, invalidLink, notConfigured, tokensFor, verifyToken, wantsHtml } from '../public/pages';
import { tokenParams } from '../public/token-params';
import { idParams } from '../schemas/common';
import { unsubscribeResultSchema } from '../schemas/unsubscribe';
import { htmlOrJsonError, nonJsonResponse } from '../openapi';
import type { ApiDeps } from '../types';

const errors = standardErrors;

/**
 * Unsubscribe: by a user through the API, or by the contact through the link in every email
 * (RFC 8058 one-click POST, and a GET page that only asks for confirmation, because mail
 * scanners prefetch links and must not unsubscribe anyone).
 */
export async function unsubscribeRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { db, temporal } = deps;
  app.withTypeProvider<ZodTypeProvider>().post('/v1/contacts/:id/unsubscribe', {
    config: { permission: 'contacts:write', auditEntity: 'contact' },
    schema: { tags: ['contacts'], summary: 'Unsubscribe a contact: status unsubscribed, address suppressed, every live enrollment ended (UNSUBSCRIBED)', params: idParams, response: { 200: unsubscribeResultSchema, ...errors } },
  }, async (req) => {
    const result = await unsubscribeContact({ db, temporal, log: req.log }, req.params.id, actorOf(req));
    return { ...result, status: 'unsubscribed' as const };
  });

  // Own scope: the form parsers below apply to the one-click routes only.
  await app.register(async (scope) => {
    // RFC 8058 clients POST "List-Unsubscribe=One-Click" as a form; the body carries no information we need.
    scope.addContentTypeParser(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const r = scope.withTypeProvider<ZodTypeProvider>();
    const tokens = tokensFor(deps.config);

    r.get('/u/*', {
      config: { public: true },
      schema: {
        tags: ['unsubscribe'],
        summary: 'Confirmation page for the unsubscribe link (does not unsubscribe by itself)',
        params: tokenParams,
        response: { 200: nonJsonResponse('A page asking to confirm', { 'text/html': { type: 'string' } }), 404: htmlOrJsonError('The link is not valid'), 503: htmlOrJsonError('Links cannot be verified (TRACKING_SECRET not set)') },
      },
    }, async (req, reply) => {
      if (!tokens) return notConfigured(req, reply);
      const payload = verifyToken(tokens, req.params['*'], 'u');
      if (!payload || !(await sendExists({ db }, payload.s))) return invalidLink(reply, true);
      const form = '<p>Do you want to stop receiving these emails?</p><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>';
      return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(htmlPage('Unsubscribe', form));
    });

    r.post('/u/*', {
      config: { public: true },
      schema: { tags: ['unsubscribe'], summary: 'One-click unsubscribe (RFC 8058): ends every live enrollment of the contact', params: tokenParams, response: { 200: { description: 'Unsubscribed (JSON, or a page for browsers)', content: { 'application/json': { schema: { $ref: '#/components/schemas/OneClickUnsubscribeResult' } }, 'text/html': { schema: { type: 'string' } } } }, 404: htmlOrJsonError('The link is not valid'), 503: htmlOrJsonError('Links cannot be verified (TRACKING_SECRET not set)') } },
    }, async (req, reply) => {
      if (!tokens) return notConfigured(req, reply);
      const payload = verifyToken(tokens, req.params['*'], 'u');
      if (!payload || !(await unsubscribeBySend({ db, temporal, log: req.log }, payload.s))) return invalidLink(reply, wantsHtml(req));
      reply.header('cache-control', 'no-store');
      if (wantsHtml(req)) return reply.type('text/html; charset=utf-8').send(htmlPage('You are unsubscribed', '<p>You will not receive any more emails from these sequences.</p>'));
      return { unsubscribed: true as const };
    });
  });
}
