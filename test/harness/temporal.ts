import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, type NativeConnection, type Worker, type WorkerOptions } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { randomBytes } from 'node:crypto';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal-names';
import type { ActivityDeps } from '../../activities/deps';
import { createWorker } from '../../worker/create-worker';
import { harnessEnv } from './harness-env';

let runtimeInstalled = false;
/** Keep the Rust core quiet in test output; install once per test file (process). */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ telemetryOptions: { logging: { filter: 'error' } }, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never });
  } catch {
    // Already installed by an earlier helper in this process.
  }
}

export const uniqueTaskQueue = (name: string) => `test-${name}-${randomBytes(4).toString('hex')}`;

/** A client of the shared Temporal dev server the global setup started. */
export async function connectTestClient(): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({ address: harnessEnv('TEST_TEMPORAL_ADDRESS') });
  return { client: new Client({ connection, namespace: 'default' }), close: () => connection.close() };
}

export interface RunningWorker {
  worker: Worker;
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * Starts a worker on the shared dev server (or the given connection) with the prebuilt bundle.
 * `workerOptions` override Worker.create options (e.g. a dataConverter, interceptors, another bundle).
 */
export async function startTestWorker(opts: { deps: ActivityDeps; taskQueue: string; connection?: NativeConnection; activities?: object; namespace?: string; workerOptions?: Partial<WorkerOptions> }): Promise<RunningWorker> {
  installQuietRuntime();
  const { worker, connection, ownsConnection } = await createWorker({
    address: harnessEnv('TEST_TEMPORAL_ADDRESS'),
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    deps: opts.deps,
    workflowBundlePath: harnessEnv('WORKFLOW_BUNDLE_PATH'),
    connection: opts.connection,
    activities: opts.activities,
    workerOptions: opts.workerOptions,
  });
  const running = worker.run();
  return {
    worker,
    taskQueue: opts.taskQueue,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      if (ownsConnection) await connection.close();
    },
  };
}

/** Temporal's time-skipping test server, from the pinned binary (the SDK's download is offline-hostile). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: harnessEnv('TEMPORAL_TEST_SERVER_PATH') } } });
  // The test server starts without our search attributes; the dev server gets them at launch.
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((name) => [name, keyword])) });
  return env;
}
