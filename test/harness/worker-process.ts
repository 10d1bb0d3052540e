import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { TEST_ERASURE_HASH_SECRET, TEST_SECRETS_KEY } from './config';
import { harnessEnv } from './harness-env';

/**
 * `worker/main.ts` as its own Node process, for tests that SIGKILL a worker: an in-process
 * worker can only be shut down politely, a process can die mid-call like a real one.
 */
export interface WorkerProcesses {
  /** Starts a worker with the harness's Temporal server and bundle plus `env`; resolves once it polls. */
  start(env: Record<string, string | undefined>): Promise<ChildProcess>;
  exited(child: ChildProcess): Promise<void>;
  /** SIGKILLs whatever is still running (afterAll). */
  killAll(): Promise<void>;
}

export function workerProcesses(): WorkerProcesses {
  const children = new Set<ChildProcess>();
  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));

  async function start(env: Record<string, string | undefined>): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
      cwd: path.resolve(__dirname, '../..'),
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        // The reconciliation Schedule is one per namespace; its own test creates it.
        RECONCILE_EVERY: 'off',
        // Likewise the nightly duplicate scan's Schedule (its own test creates it).
        DEDUP_SCAN_AT: 'off',
        // And the erasure retention sweep's Schedule (test/erasure creates it).
        ERASURE_RETENTION_SWEEP_AT: 'off',
        SECRETS_KEY: TEST_SECRETS_KEY,
        // The send claim refuses erased subjects by this keyed hash; without it a worker sends nothing.
        ERASURE_HASH_SECRET: TEST_ERASURE_HASH_SECRET,
        TEMPORAL_ADDRESS: harnessEnv('TEST_TEMPORAL_ADDRESS'),
        WORKFLOW_BUNDLE_PATH: harnessEnv('WORKFLOW_BUNDLE_PATH'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('worker started')) resolve();
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`worker exited with ${code} before starting:\n${output}`)));
    });
    return child;
  }

  async function killAll(): Promise<void> {
    const running = [...children];
    for (const child of running) child.kill('SIGKILL');
    await Promise.all(running.map(exited));
  }

  return { start, exited, killAll };
}
