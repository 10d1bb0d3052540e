import type { FastifyReply, FastifyRequest } from 'fastify';
import { createTrackingTokens, type TrackingPayload, type TrackingTokens } from '../../domain/links/tracking-tokens';
import type { AppConfig } from '../../domain/config';
import { sendError } from '../errors';

/**
 * Shared by the public routes that people reach from an email (unsubscribe, click redirect):
 * token checks, and tiny HTML pages for browsers (JSON for everything else). Pages never show
 * personal data: a link may have been forwarded.
 */
export function tokensFor(config: AppConfig): TrackingTokens | null {
  return config.TRACKING_SECRET ? createTrackingTokens(config.TRACKING_SECRET) : null;
}

export function verifyToken<K extends TrackingPayload['k']>(tokens: TrackingTokens | null, token: string, kind: K): Extract<TrackingPayload, { k: K }> | null {
  const payload = tokens?.verify(token) ?? null;
  return payload && payload.k === kind ? (payload as Extract<TrackingPayload, { k: K }>) : null;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function htmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>`
    + '<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}button{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}</style>'
    + `</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export const wantsHtml = (req: FastifyRequest) => /\btext\/html\b/.test(req.headers.accept ?? '');

/** The same answer for a forged, expired or unknown link: nothing to learn from probing. */
export function invalidLink(reply: FastifyReply, asHtml: boolean): FastifyReply {
  reply.header('cache-control', 'no-store');
  if (asHtml) return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('Link not valid', '<p>This link is not valid. It may have been copied incompletely.</p>'));
  return sendError(reply, 404, 'NOT_FOUND', 'This link is not valid.');
}

export function notConfigured(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  req.log.error('TRACKING_SECRET is not set: tracking and unsubscribe links cannot be verified');
  return sendError(reply, 503, 'NOT_CONFIGURED', 'Links cannot be verified right now. Please try again later.');
}
