import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { createDatabase } from '../db/database';
import { loadConfig, requireSetting } from '../domain/config';
import { connectTemporal, temporalTarget } from '../temporal/client';
import { createWorker } from '../temporal/worker';
import { ensureDedupSchedule } from './dedup-schedule';
import { ensureRetentionSweepSchedule } from './erasure-schedule';
import { ensureReconciler } from './reconciler';
import { startWorkerMetricsServer } from './metrics-server';
import { freePort } from '../scripts/free-port';
import { createWorkerMetrics } from '../services/metrics/worker-metrics';

/**
 * Worker process entry (task queue `crm`). SIGTERM/SIGINT start a graceful shutdown: no new
 * tasks are polled, in-flight activities finish (up to the grace time), then the process exits.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  // WORKER_METRICS_PORT: the SDK's Prometheus exporter on a loopback port, served with ours on one endpoint.
  const sdkMetricsPort = config.WORKER_METRICS_PORT ? await freePort() : undefined;
  Runtime.install({
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(sdkMetricsPort !== undefined && { metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkMetricsPort}` } } }),
    },
    shutdownSignals: ['SIGINT', 'SIGTERM'],
  });
  const db = createDatabase(requireSetting(config, 'DATABASE_URL'));
  const metrics = createWorkerMetrics({ db, processMetrics: true });
  const metricsServer = config.WORKER_METRICS_PORT
    ? await startWorkerMetricsServer({ host: config.WORKER_METRICS_HOST, port: config.WORKER_METRICS_PORT, registry: metrics.registry, sdkMetricsUrl: `http://127.0.0.1:${sdkMetricsPort}/metrics` })
    : undefined;
  const target = temporalTarget(config);
  // A client too (the reconciliation loop and its visibility queries); the worker's own connection is native.
  const temporal = await connectTemporal(target);
  await ensureReconciler(temporal.client, { taskQueue: config.TEMPORAL_TASK_QUEUE, everyMs: config.RECONCILE_EVERY });
  await ensureDedupSchedule(temporal.client, { taskQueue: config.TEMPORAL_TASK_QUEUE, at: config.DEDUP_SCAN_AT });
  await ensureRetentionSweepSchedule(temporal.client, { taskQueue: config.TEMPORAL_TASK_QUEUE, at: config.ERASURE_RETENTION_SWEEP_AT });
  const { worker, connection } = await createWorker({
    target,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    deps: { db, config, temporal: temporal.client, metrics },
    workflowBundlePath: config.WORKFLOW_BUNDLE_PATH,
    workerOptions: { maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS },
  });
  console.log(JSON.stringify({ level: 30, msg: 'worker started', taskQueue: config.TEMPORAL_TASK_QUEUE, ...(metricsServer && { metrics: metricsServer.url }) }));
  await worker.run();
  await metricsServer?.close();
  await connection.close();
  await temporal.close();
  await db.destroy();
  console.log(JSON.stringify({ level: 30, msg: 'worker stopped' }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
