import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { resolveClick, trackOpen } from '../../services/tracking/tracking';
import { invalidLink, notConfigured, tokensFor, verifyToken, wantsHtml } from '../public/pages';
import { tokenParams } from '../public/token-params';
import { htmlOrJsonError, nonJsonResponse } from '../openapi';
import type { ApiDeps } from '../types';

/** 1×1 transparent GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const NO_STORE = 'no-store, no-cache, must-revalidate, private';

/**
 * Open pixel and click redirects (public, from inside emails). Tracking is best-effort and must
 * never break an email: the pixel is always a GIF, and a failed log write never blocks a redirect.
 */
export function trackingRoutes(app: FastifyInstance, { db, config }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tokens = tokensFor(config);

  // Wildcards: tokens exceed the router's parameter length limit, and contain the "." of ".gif".
  r.get('/t/o/*', {
    // Loaded by mail clients and image proxies (many people behind one address): not limited per address.
    config: { public: true, unlimited: true },
    schema: { tags: ['tracking'], summary: 'Open-tracking pixel (always a 1x1 GIF)', params: tokenParams, response: { 200: nonJsonResponse('A 1×1 transparent GIF, whatever the token', { 'image/gif': { type: 'string', format: 'binary' } }) } },
  }, async (req, reply) => {
    const payload = verifyToken(tokens, req.params['*'].replace(/\.gif$/, ''), 'o');
    if (payload) {
      try {
        await trackOpen(db, payload.s, new Date());
      } catch (err) {
        req.log.warn({ err }, 'open tracking failed; pixel served anyway');
      }
    }
    // Webmail shows images from other origins: helmet's same-origin CORP would hide the pixel.
    return reply.header('cache-control', NO_STORE).header('cross-origin-resource-policy', 'cross-origin').type('image/gif').send(PIXEL);
  });

  r.get('/t/c/*', {
    // Loaded by mail clients and image proxies (many people behind one address): not limited per address.
    config: { public: true, unlimited: true },
    schema: {
      tags: ['tracking'],
      summary: 'Click redirect: 302 to the original link of that email only (no open redirect)',
      params: tokenParams,
      response: { 302: { description: 'Redirect to the original link (Location header)' }, 404: htmlOrJsonError('The link is not valid'), 503: htmlOrJsonError('Links cannot be verified (TRACKING_SECRET not set)') },
    },
  }, async (req, reply) => {
    if (!tokens) return notConfigured(req, reply);
    const payload = verifyToken(tokens, req.params['*'], 'c');
    const click = payload ? await resolveClick(db, payload.s, payload.l) : null;
    if (!click) return invalidLink(reply, wantsHtml(req));
    try {
      await click.record(new Date());
    } catch (err) {
      req.log.warn({ err }, 'click tracking failed; redirecting anyway');
    }
    return reply.header('cache-control', NO_STORE).header('referrer-policy', 'no-referrer').redirect(click.url, 302);
  });
}
