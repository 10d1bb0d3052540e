/**
 * The codec server of the Temporal Web UI: `POST /codec/decode` and `POST /codec/encode` (the UI
 * appends /decode and /encode to the endpoint it is given, `--ui-codec-endpoint http://<api>/codec`).
 *
 * Who may use it: an operator or admin API key (permission `payloads:decode`), presented as
 *  - `Authorization: Bearer <key>` (curl, `temporal workflow show --codec-endpoint … --codec-auth "Bearer <key>"`), or
 *  - the HttpOnly cookie set by `POST /codec/login` (a form at `GET /codec/login`): the Web UI cannot
 *    send a header of our choosing. It sends `Authorization: Bearer <its own OIDC access token>` only with
 *    "Pass the user access token" and an https endpoint, and cookies only with "Include cross-origin
 *    credentials" (fetch `credentials: 'include'`). So: sign in once at /codec/login, tick that box.
 * CORS: answers the UI's origins (TEMPORAL_UI_ORIGIN, comma-separated) with credentials allowed, and
 * their preflights (`content-type`, `x-namespace`, `authorization` headers). Routes are hidden from the
 * OpenAPI document (they speak the Temporal codec protocol, not this API's).
 */
import type { PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleHasPermission } from '../../domain/permissions';
import type { Principal } from '../../db/api-keys';
import { apiKeyAuthenticator } from '../../services/users/authentication';
import { systemClock } from '../../domain/clock';
import { codecBodySchema, decodePayloadsBody, encodePayloadsBody } from '../../temporal/codec/codec-server';
import { AesGcmPayloadCodec, PayloadDecryptionError, PayloadKeyUnknownError } from '../../temporal/codec/encryption-codec';
import { parseBearer } from '../bearer';
import { ApiError, sendError } from '../errors';
import { htmlPage } from '../public/pages';
import type { ApiDeps } from '../types';

export const CODEC_COOKIE = 'crm_codec_key';
const COOKIE_MAX_AGE_S = 8 * 60 * 60;

/** Without TEMPORAL_PAYLOAD_KEY payloads are in clear: decode and encode are the identity. */
const identityCodec: PayloadCodec = { encode: async (p) => p, decode: async (p) => p };

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export async function codecRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const keys = deps.config.TEMPORAL_PAYLOAD_KEY;
  const codec: PayloadCodec = keys ? new AesGcmPayloadCodec(keys) : identityCodec;
  const origins = new Set((deps.config.TEMPORAL_UI_ORIGIN ?? '').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean));
  const authenticate = apiKeyAuthenticator(deps.db, deps.clock ?? systemClock);
  const secureCookie = (deps.config.PUBLIC_BASE_URL ?? '').startsWith('https://');

  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    const cors = (req: FastifyRequest, reply: FastifyReply): void => {
      const origin = req.headers.origin;
      if (typeof origin !== 'string' || !origins.has(origin)) return;
      reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true').header('vary', 'Origin');
    };

    /** An operator or admin key from the Authorization header or the codec cookie; 401 / 403 otherwise (audited like every failed authentication). */
    const principalOf = async (req: FastifyRequest): Promise<Principal> => {
      const bearer = parseBearer(req.headers.authorization);
      const presented = bearer.kind === 'bearer' ? bearer.token : cookieValue(req.headers.cookie, CODEC_COOKIE);
      const principal = presented ? await authenticate(presented) : undefined;
      if (!principal) {
        await app.access.authFailed(req);
        throw new ApiError(401, 'UNAUTHENTICATED', presented ? 'The API key is invalid or revoked.' : `Missing API key: send "Authorization: Bearer <operator or admin key>", or sign in at /codec/login so the Temporal UI's requests carry the ${CODEC_COOKIE} cookie.`);
      }
      if (!roleHasPermission(principal.role, 'payloads:decode')) throw new ApiError(403, 'FORBIDDEN', `Role "${principal.role}" lacks the permission "payloads:decode" (operators and admins have it).`);
      return principal;
    };

    const convert = (run: (c: PayloadCodec, body: ReturnType<typeof codecBodySchema.parse>) => Promise<unknown>) => async (req: FastifyRequest, reply: FastifyReply) => {
      cors(req, reply);
      req.principal = await principalOf(req);
      const parsed = codecBodySchema.safeParse(req.body);
      if (!parsed.success) {
        const details = parsed.error.issues.map((i) => ({ path: ['body', ...i.path].join('.'), problem: i.message }));
        return sendError(reply, 400, 'VALIDATION_FAILED', `Invalid codec request: ${details.map((d) => `${d.path} (${d.problem})`).join('; ')}`, details);
      }
      try {
        return reply.send(await run(codec, parsed.data));
      } catch (err) {
        if (err instanceof PayloadKeyUnknownError || err instanceof PayloadDecryptionError) return sendError(reply, 422, err.code, err.message);
        throw err;
      }
    };

    for (const path of ['/codec/decode', '/codec/encode'] as const) {
      scope.options(path, { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
        cors(req, reply);
        if (reply.hasHeader('access-control-allow-origin')) reply.header('access-control-allow-methods', 'POST, OPTIONS').header('access-control-allow-headers', 'content-type, x-namespace, authorization').header('access-control-max-age', '600');
        return reply.code(204).send();
      });
    }
    scope.post('/codec/decode', { config: { public: true }, schema: { hide: true } }, convert(decodePayloadsBody));
    scope.post('/codec/encode', { config: { public: true }, schema: { hide: true } }, convert(encodePayloadsBody));

    scope.get('/codec/login', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
      const form = `<p>Sign in with an operator or admin API key so the Temporal Web UI can decode payloads through this API (then tick "Include cross-origin credentials" under "Configure Codec Server").</p><form method="post"><input type="password" name="key" autocomplete="off" size="60" placeholder="crm_…"> <button type="submit">Sign in</button></form>`;
      return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(htmlPage('Codec server', form));
    });

    scope.post('/codec/login', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
      const key = new URLSearchParams(typeof req.body === 'string' ? req.body : '').get('key')?.trim() ?? '';
      req.headers.authorization = `Bearer ${key}`;
      await principalOf(req);
      const cookie = `${CODEC_COOKIE}=${encodeURIComponent(key)}; Path=/codec; HttpOnly; SameSite=Lax; Max-Age=${COOKIE_MAX_AGE_S}${secureCookie ? '; Secure' : ''}`;
      return reply.header('set-cookie', cookie).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(htmlPage('Codec server', '<p>Signed in for 8 hours. The Temporal Web UI can decode payloads now.</p>'));
    });
  });
}
