/**
 * The one place that builds Temporal workers (the worker process, tests, benchmarks), with the same
 * data converter as every client. The API never imports this file (lint: it uses @temporalio/worker).
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import path from 'node:path';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';
import type { TemporalTarget } from './client';
import { dataConverter } from './data-converter';
import { scrubActivityFailures } from './scrub-activity-failures';

export interface CreateWorkerOptions {
  target: TemporalTarget;
  taskQueue: string;
  /** The activities' dependencies; not needed when `activities` are given. */
  deps?: ActivityDeps;
  /** A prebuilt bundle (production, tests); otherwise workflows are bundled from source. */
  workflowBundlePath?: string;
  /** Overrides for tests (e.g. a time-skipping connection, activity stubs of external calls). */
  connection?: NativeConnection;
  activities?: object;
  workerOptions?: Partial<WorkerOptions>;
}

export const workflowsPath = path.resolve(__dirname, '../workflows/index.ts');

export async function createWorker(opts: CreateWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection; ownsConnection: boolean }> {
  if (!opts.activities && !opts.deps) throw new Error('createWorker needs deps (to build the activities) or activities');
  const ownsConnection = !opts.connection;
  const connection = opts.connection ?? (await NativeConnection.connect({ address: opts.target.address }));
  const worker = await Worker.create({
    connection,
    namespace: opts.target.namespace,
    taskQueue: opts.taskQueue,
    dataConverter: dataConverter(opts.target.settings),
    activities: opts.activities ?? createActivities(opts.deps!),
    // Failures leave activities scrubbed of addresses and names (they end up in history and logs).
    interceptors: { activity: [scrubActivityFailures] },
    ...(opts.workflowBundlePath ? { workflowBundle: { codePath: opts.workflowBundlePath } } : { workflowsPath }),
    // Drain: in-flight activities get this long to finish on shutdown.
    shutdownGraceTime: '10s',
    ...opts.workerOptions,
  });
  return { worker, connection, ownsConnection };
}
