import { createApiMetrics } from '../../services/metrics/api-metrics';
import { createWorkerMetrics } from '../../services/metrics/worker-metrics';

/**
 * Node's process metrics come with a registry only when a process entry point asks for them
 * (api/main.ts, worker/main.ts): prom-client's collectors cannot be stopped, so an API or worker
 * built inside another process (tests, benchmarks) must not start them.
 */
const names = async (metrics: { registry: { getMetricsAsJSON(): Promise<{ name: string }[]> } }) => (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);

describe('process metrics', () => {
  it('are exported, labelled with the process role, when the entry point asks for them', async () => {
    const api = createApiMetrics({ processMetrics: true });
    expect(await names(api)).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_gc_duration_seconds', 'nodejs_eventloop_lag_seconds']));
    expect(await api.registry.getSingleMetricAsString('process_cpu_seconds_total')).toContain('crm_process="api"');
  });

  it('are not started by an API or worker built inside another process', async () => {
    for (const metrics of [createApiMetrics(), createWorkerMetrics()]) {
      const exported = await names(metrics);
      expect(exported.some((n) => n.startsWith('crm_'))).toBe(true);
      expect(exported.filter((n) => n.startsWith('process_') || n.startsWith('nodejs_'))).toEqual([]);
    }
  });
});
