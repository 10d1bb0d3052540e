import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { createDatabase } from '../db/database';
import { loadConfig, requireSetting } from '../domain/config';
import { connectTemporal, temporalTarget } from '../temporal/client';
import { createWorker } from '../temporal/worker';
import { ensureDedupSchedule } from './dedup-schedule';
import { ensureRetentionSweepSchedule } from './erasure-schedule';
import { ensureReconciler } from './reconciler';

/**
 * Worker process entry (task queue `crm`). SIGTERM/SIGINT start a graceful shutdown: no new
 * tasks are polled, in-flight activities finish (up to the grace time), then the process exits.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  Runtime.install({ telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } }, shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const db = createDatabase(requireSetting(config, 'DATABASE_URL'));
  const target = temporalTarget(config);
  // A client too (the reconciliation loop and its visibility queries); the worker's own connection is native.
  const temporal = await connectTemporal(target);
  await ensureReconciler(temporal.client, { taskQueue: config.TEMPORAL_TASK_QUEUE, everyMs: config.RECONCILE_EVERY });
  await ensureDedupSchedule(temporal.client, { taskQueue: config.TEMPORAL_TASK_QUEUE, at: config.DEDUP_SCAN_AT });
  await ensureRetentionSweepSchedule(temporal.client, { taskQueue: config.TEMPORAL_TASK_QUEUE, at: config.ERASURE_RETENTION_SWEEP_AT });
  const { worker, connection } = await createWorker({
    target,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    deps: { db, config, temporal: temporal.client },
    workflowBundlePath: config.WORKFLOW_BUNDLE_PATH,
    workerOptions: { maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS },
  });
  console.log(JSON.stringify({ level: 30, msg: 'worker started', taskQueue: config.TEMPORAL_TASK_QUEUE }));
  await worker.run();
  await connection.close();
  await temporal.close();
  await db.destroy();
  console.log(JSON.stringify({ level: 30, msg: 'worker stopped' }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
