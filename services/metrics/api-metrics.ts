import { Counter, Histogram, type Registry } from 'prom-client';
import { createRegistry, type RegistryOptions } from './registry';

/** Which limit of api/rate-limits.ts refused a request. */
export type RateLimitName = 'writes_per_key' | 'public_per_address' | 'auth_failures_per_address';

/** The API's metrics: requests by route pattern (never the raw URL) and status, rate-limit hits, failed authentications. */
export interface ApiMetrics {
  registry: Registry;
  requests: Histogram<'method' | 'route' | 'status'>;
  rateLimited: Counter<'limit'>;
  authFailures: Counter<'route'>;
}

/** Label for a request that matched no route (404s, scanners): one value, not the path they tried. */
export const UNMATCHED_ROUTE = 'unmatched';

export function createApiMetrics(opts: RegistryOptions = {}): ApiMetrics {
  const registry = createRegistry('api', opts);
  return {
    registry,
    requests: new Histogram({
      name: 'crm_http_request_duration_seconds',
      help: 'API requests by method, route pattern and status code, and how long they took (rate: the _count series).',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    rateLimited: new Counter({ name: 'crm_rate_limited_total', help: 'Requests refused with 429 RATE_LIMITED, by the limit that refused them.', labelNames: ['limit'], registers: [registry] }),
    authFailures: new Counter({ name: 'crm_auth_failures_total', help: 'Failed authentications (API key, PSA integration key, mail-event signature), by route pattern.', labelNames: ['route'], registers: [registry] }),
  };
}
