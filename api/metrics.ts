import type { FastifyInstance } from 'fastify';
import { PROMETHEUS_CONTENT_TYPE } from '../services/metrics/registry';
import { UNMATCHED_ROUTE, type ApiMetrics } from '../services/metrics/api-metrics';

/**
 * Request metrics and `GET /metrics` (Prometheus text). Requests are labelled by route pattern
 * (`/v1/contacts/:id`), never the URL (ids, `?email=` filters). `/metrics` needs the `metrics:read`
 * permission (operators, admins): Prometheus presents an operator's API key as a bearer token.
 */
export function registerMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.requests.observe({ method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { config: { permission: 'metrics:read' }, schema: { hide: true } }, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(PROMETHEUS_CONTENT_TYPE).send(body);
  });
}
