/**
 * Makes every route's OpenAPI entry complete and true without each route restating it: the error
 * responses the platform itself can give (validation 400, auth 401/403, 404 for a path id, 413/415 for
 * bodies, 429 limits, 431 for an oversized URL, 503 when Temporal is unreachable), each with the one error schema, and
 * `security: []` on public routes (they take no API key). Runs on route registration, before
 * @fastify/swagger reads the schema; the same schemas serialize the responses, so the document and
 * the wire cannot disagree.
 */
import type { RouteOptions } from 'fastify';
import { errorResponseSchema } from './schemas/error-schema';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: the details name each bad field',
  401: 'Missing, malformed or unknown credentials',
  403: 'Authenticated, but not allowed (permission or data scope)',
  404: 'No such resource',
  409: 'Conflicts with the current state (the code says which)',
  413: 'Body too large (BODY_LIMIT_BYTES)',
  415: 'Unsupported content-type (JSON only)',
  429: 'Rate limited; see Retry-After',
  431: 'The URL and headers together exceed 16 KiB (REQUEST_HEADERS_TOO_LARGE)',
  503: 'A dependency (database, Temporal) is unreachable; retry',
};

const errorResponse = (status: number) => errorResponseSchema.describe(DESCRIPTIONS[status] ?? 'Error');

export function completeRouteSchema(route: RouteOptions): void {
  const config = route.config ?? {};
  if (route.url.startsWith('/docs') || route.schema?.hide) return;
  const schema = (route.schema ??= {});
  const response = ((schema as { response?: Record<string | number, unknown> }).response ??= {});
  const methods = [route.method].flat();
  const hasBody = methods.some((m) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(m));
  const statuses = [400];
  if (!config.public) statuses.push(401, 403);
  if (route.url.includes('/:')) statuses.push(404);
  // Any write can meet state that refuses it (a running promotion, a merged contact, an erased subject).
  if (hasBody) statuses.push(409, 413, 415);
  if (!config.unlimited) statuses.push(429);
  // Node's parser refuses a request line plus headers over 16 KiB before any route runs.
  statuses.push(431);
  if (!config.public) statuses.push(503);
  // The routes' own error entries get the same description as the defaults.
  for (const [status, entry] of Object.entries(response)) if (entry === errorResponseSchema) response[status] = errorResponse(Number(status));
  for (const status of statuses) response[status] ??= errorResponse(status);
  if (config.public) (schema as { security?: unknown[] }).security = [];
}
