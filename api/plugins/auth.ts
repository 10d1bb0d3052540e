import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { systemClock, type Clock } from '../../domain/clock';
import type { AppConfig } from '../../domain/config';
import { roleHasPermission, type Permission } from '../../domain/permissions';
import type { Db } from '../../db/database';
import { recordAuthFailure } from '../../services/audit/audit-log';
import { apiKeyAuthenticator } from '../../services/users/authentication';
import { parseBearer } from '../bearer';
import { ApiError } from '../errors';
import { fixedWindowLimiter, type LimitVerdict } from '../rate-limits';
import { UNMATCHED_ROUTE, type ApiMetrics, type RateLimitName } from '../../services/metrics/api-metrics';

/**
 * Access control for every request, in one onRequest hook:
 *  - Bearer API-key auth and the route's permission. Every route declares either `config.permission`
 *    or `config.public`; registering one with neither fails at startup.
 *  - Limits (api/rate-limits.ts): writes per API key across all write routes; public endpoints per
 *    client address; failed authentications per client address. 429 with Retry-After.
 *  - Failed authentications are audited (no key, no body) and never touch a customer-visible record.
 */
export interface RoutePermission {
  method: string;
  url: string;
  permission: Permission;
}

export interface AccessControl {
  /** Every authenticated route with the permission it needs (docs and the permission tests). */
  catalogue: RoutePermission[];
  /** A request failed authentication (API key, integration key, signature): audit it and count it against its address. */
  authFailed(req: FastifyRequest): Promise<void>;
}

const isWrite = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);

export function registerAuth(app: FastifyInstance, deps: { db: Db; config: AppConfig; clock?: Clock; metrics?: ApiMetrics }): AccessControl {
  const { db, config } = deps;
  const clock = deps.clock ?? systemClock;
  const catalogue: RoutePermission[] = [];
  const authenticate = apiKeyAuthenticator(db, clock);
  const writes = fixedWindowLimiter(config.WRITE_RATE_LIMIT_PER_MINUTE, clock);
  const publicRequests = fixedWindowLimiter(config.PUBLIC_RATE_LIMIT_PER_MINUTE, clock);
  const authFailures = fixedWindowLimiter(config.AUTH_FAILURE_LIMIT_PER_MINUTE, clock);

  app.addHook('onRoute', (route) => {
    const config = route.config ?? {};
    const isFrameworkRoute = route.url.startsWith('/docs');
    if (!config.public && !config.permission && !isFrameworkRoute) {
      throw new Error(`Route ${route.method} ${route.url} declares neither a permission nor public: true`);
    }
    if (config.permission) {
      for (const method of [route.method].flat()) if (method !== 'HEAD') catalogue.push({ method, url: route.url, permission: config.permission });
    }
  });

  const tooMany = (reply: FastifyReply, verdict: LimitVerdict, what: string, limit: RateLimitName): ApiError => {
    deps.metrics?.rateLimited.inc({ limit });
    const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
    reply.header('retry-after', String(seconds));
    return new ApiError(429, 'RATE_LIMITED', `Rate limit exceeded: at most ${verdict.limit} ${what} per minute. Retry in ${seconds} s.`);
  };

  const authFailed = async (req: FastifyRequest): Promise<void> => {
    authFailures.take(req.ip);
    deps.metrics?.authFailures.inc({ route: req.routeOptions.url ?? UNMATCHED_ROUTE });
    try {
      await recordAuthFailure(db, { requestId: req.id, clientRequestId: req.clientRequestId ?? null, method: req.method, route: req.routeOptions.url ?? req.url.split('?')[0] ?? '', clientAddress: req.ip, nowMs: clock() });
    } catch (err) {
      req.log.error({ err }, 'audit of a failed authentication could not be written');
    }
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const config = request.routeOptions.config;
    if (config.public && config.unlimited) return;
    // An address that keeps failing authentication is refused before anything is checked or written.
    const failures = authFailures.exceeded(request.ip);
    if (!failures.allowed) throw tooMany(reply, failures, 'failed authentications from one address', 'auth_failures_per_address');
    if (config.public) {
      const verdict = publicRequests.take(request.ip);
      if (!verdict.allowed) throw tooMany(reply, verdict, 'requests to public endpoints from one address', 'public_per_address');
      return;
    }
    if (!config.permission) return;
    const bearer = parseBearer(request.headers.authorization);
    if (bearer.kind !== 'bearer') {
      await authFailed(request);
      throw new ApiError(401, 'UNAUTHENTICATED', bearer.kind === 'missing' ? 'Missing API key: send "Authorization: Bearer <api key>".' : 'The Authorization header must use the Bearer scheme: "Authorization: Bearer <api key>".');
    }
    const principal = await authenticate(bearer.token);
    if (!principal) {
      await authFailed(request);
      throw new ApiError(401, 'UNAUTHENTICATED', 'The API key is invalid or revoked.');
    }
    request.principal = principal;
    if (!roleHasPermission(principal.role, config.permission)) {
      throw new ApiError(403, 'FORBIDDEN', `Role "${principal.role}" lacks the permission "${config.permission}" this route needs.`);
    }
    if (isWrite(request.method)) {
      const verdict = writes.take(principal.apiKeyId);
      reply.header('x-ratelimit-limit', String(verdict.limit)).header('x-ratelimit-remaining', String(verdict.remaining));
      if (!verdict.allowed) throw tooMany(reply, verdict, 'writes per API key', 'writes_per_key');
    }
  });
  return { catalogue, authFailed };
}
