import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One prom-client registry per process role (never prom-client's global one: tests build several APIs
 * and workers in one process). Metric names start with `crm_`; the Node process metrics
 * (`process_*`, `nodejs_*`) come with every registry. No label ever holds personal data: route
 * patterns, reason codes, step names and ids of connectors only.
 */
export function createRegistry(role: 'api' | 'worker'): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ crm_process: role });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** The Prometheus text exposition format prom-client writes. */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
