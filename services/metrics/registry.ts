import { collectDefaultMetrics, Registry } from 'prom-client';

export interface RegistryOptions {
  /**
   * prom-client's Node process metrics (`process_*`, `nodejs_*`). Only a process entry point
   * (api/main.ts, worker/main.ts) turns them on: they belong to the process, and prom-client's
   * collectors install a GC PerformanceObserver and an event-loop-delay monitor that can never be
   * stopped. An API or worker built inside another process (tests, benchmarks) would leave one
   * observer behind per build, holding everything it references: in the test suite that kept every
   * test file's module graph alive (3.4 GB per Jest worker by the end) and made Jest force-exit
   * its workers.
   */
  processMetrics?: boolean;
}

/**
 * One prom-client registry per process role (never prom-client's global one: tests build several APIs
 * and workers in one process). Metric names start with `crm_`. No label ever holds personal data:
 * route patterns, reason codes, step names and ids of connectors only.
 */
export function createRegistry(role: 'api' | 'worker', opts: RegistryOptions = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ crm_process: role });
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

/** The Prometheus text exposition format prom-client writes. */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
