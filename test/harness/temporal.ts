import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, type NativeConnection, type Worker, type WorkerOptions } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import type { ActivityDeps } from '../../activities/deps';
import { connectTemporal, type TemporalTarget } from '../../temporal/client';
import { dataConverter } from '../../temporal/data-converter';
import { registerSearchAttributes } from '../../temporal/search-attribute-registration';
import { createWorker } from '../../temporal/worker';
import { testConfig } from './config';
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

/** The shared Temporal dev server the global setup started, with the service's data converter. */
export function testTemporalTarget(): TemporalTarget {
  return { address: harnessEnv('TEST_TEMPORAL_ADDRESS'), namespace: 'default', settings: testConfig() };
}

/** A client of the shared Temporal dev server. */
export async function connectTestClient(): Promise<{ client: Client; close(): Promise<void> }> {
  return connectTemporal(testTemporalTarget());
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
export async function startTestWorker(opts: { deps?: ActivityDeps; taskQueue: string; connection?: NativeConnection; activities?: object; namespace?: string; workerOptions?: Partial<WorkerOptions> }): Promise<RunningWorker> {
  installQuietRuntime();
  const { worker, connection, ownsConnection } = await createWorker({
    target: { ...testTemporalTarget(), namespace: opts.namespace ?? 'default' },
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
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: harnessEnv('TEMPORAL_TEST_SERVER_PATH') } },
    client: { dataConverter: dataConverter(testConfig()) },
  });
  // The test server starts without our search attributes; the dev server gets them at launch.
  await registerSearchAttributes(env.connection, 'default', { fresh: true });
  return env;
}
