import type { Client } from '@temporalio/client';
import { payloadKeysSchema } from '../domain/payload-keys';
import { connectTemporal } from '../temporal/client';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, type Db } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { bundleWorkflows } from '../scripts/bundle-workflows';
import { freePort } from '../scripts/free-port';
import { spawnManaged, waitFor, type ManagedProcess } from '../scripts/managed-process';
import { ensureDatabase, startPostgres, type PostgresServer } from '../scripts/postgres-server';
import { startSmtpSink, type SmtpSink } from '../scripts/smtp-sink';
import { startTemporalDevServer, type TemporalDevServer } from '../scripts/temporal-dev-server';
import { resolvePostgresBinDir, resolveTemporalCli } from '../scripts/tool-binaries';
import { processCpuMs, threadCpuMs } from './cpu';

/**
 * The bench's own servers, started like the test harness does (test/harness/global-setup.ts):
 * a private PostgreSQL, a Temporal dev server, the SMTP sink, and workers as real child processes.
 */
export interface BenchInfra {
  dir: string;
  db: Db;
  databaseUrl: string;
  temporal: Client;
  temporalAddress: string;
  bundlePath: string;
  sink: SmtpSink;
  mailDir: string;
  /** PostgreSQL's and Temporal's process ids (left out of another phase's CPU accounting). */
  serverPids: number[];
  stop(): Promise<void>;
}

/** Production mode needs these; the payload codec is on, as in production. */
export const BENCH_SECRETS = {
  TRACKING_SECRET: 'bench-tracking-secret-0123456789',
  MAIL_WEBHOOK_SECRET: 'bench-webhook-secret',
  SECRETS_KEY: Buffer.alloc(32, 5).toString('base64'),
  ERASURE_HASH_SECRET: 'bench-erasure-secret',
  TEMPORAL_PAYLOAD_KEY: `bench1:${Buffer.alloc(32, 6).toString('base64')}`,
};

export async function startInfra(log: (msg: string) => void): Promise<BenchInfra> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-bench-'));
  const [pgPort, temporalPort] = await Promise.all([freePort(), freePort()]);
  log(`starting PostgreSQL :${pgPort}, Temporal :${temporalPort}, bundling workflows (${dir})`);
  let pg: PostgresServer | undefined;
  let server: TemporalDevServer | undefined;
  try {
    [pg, server] = await Promise.all([
      startPostgres({ binDir: resolvePostgresBinDir(process.env.PG_BIN_DIR), dataDir: path.join(dir, 'pg'), port: pgPort, password: 'bench-only', logFile: path.join(dir, 'postgres.log'), ephemeral: true }),
      startTemporalDevServer({ cliPath: resolveTemporalCli(process.env.TEMPORAL_CLI_PATH), port: temporalPort, namespace: 'default', logFile: path.join(dir, 'temporal.log') }),
    ]);
  } catch (err) {
    await Promise.allSettled([pg?.stop(), server?.stop()]);
    throw err;
  }
  const bundlePath = await bundleWorkflows(path.join(dir, 'workflow-bundle.js'));
  await ensureDatabase(pg.url('postgres'), 'bench');
  const databaseUrl = pg.url('bench');
  const db = createDatabase(databaseUrl, { max: 20 });
  await migrateToLatest(db);
  const temporal = await connectTemporal({ address: server.address, namespace: 'default', settings: { TEMPORAL_PAYLOAD_KEY: payloadKeysSchema.parse(BENCH_SECRETS.TEMPORAL_PAYLOAD_KEY) } });
  const mailDir = path.join(dir, 'mail');
  const sink = await startSmtpSink({ port: 0, dir: mailDir });
  const pgServer = pg;
  const temporalServer = server;
  return {
    dir,
    db,
    databaseUrl,
    temporal: temporal.client,
    temporalAddress: server.address,
    bundlePath,
    sink,
    mailDir,
    serverPids: [pgServer.process.child.pid, temporalServer.process.child.pid].filter((p): p is number => p !== undefined),
    stop: async () => {
      await sink.close();
      await temporal.close();
      await db.destroy();
      await Promise.allSettled([temporalServer.stop(), pgServer.stop()]);
      if (!process.env.KEEP_BENCH_DATA) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const COMPILED_WORKER = path.resolve(__dirname, '..', 'dist', 'worker', 'main.js');
let compiledWorkerReady = false;

/**
 * Compiles the services as `npm run build` does (tsc into dist/, git-ignored), so the bench's workers
 * run as deployed (`node dist/worker/main.js`), not through tsx (about 15 % more worker CPU per send
 * here). BENCH_WORKER_FROM_SOURCE=1 keeps tsx.
 */
export function compileWorker(log: (msg: string) => void): void {
  if (process.env.BENCH_WORKER_FROM_SOURCE === '1') return;
  log('compiling the worker (tsc -p tsconfig.build.json → dist/)');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: path.resolve(__dirname, '..'), stdio: 'inherit' });
  compiledWorkerReady = existsSync(COMPILED_WORKER);
}

export interface WorkerProcess {
  process: ManagedProcess;
  pid: number;
  /** Its /metrics endpoint (ours and the Temporal SDK's). */
  metricsUrl?: string;
  /** CPU it spent starting (bundle, connections) before it polled: not part of what it then measures. */
  startupCpuMs: number;
  /** Resident set size of the worker process, in bytes (Linux /proc). */
  rssBytes(): number | null;
  /** CPU ms so far by thread name (the JS main thread, the SDK core's tokio threads, libuv's pool, V8's). */
  threadCpuMs(): Record<string, number>;
}

/** `worker/main.ts` as its own process, exactly as deployed; resolves once it polls. */
export async function startWorkerProcess(infra: Pick<BenchInfra, 'dir' | 'databaseUrl' | 'temporalAddress' | 'bundlePath'>, taskQueue: string, opts: { name?: string; databaseUrl?: string; env?: Record<string, string> } = {}): Promise<WorkerProcess> {
  const logFile = path.join(infra.dir, `${opts.name ?? 'worker'}-${taskQueue}.log`);
  const metricsPort = await freePort();
  // Profiling: e.g. BENCH_WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
  const nodeArgs = process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  // As deployed: the compiled worker (compileWorker, at the start of the run), else the sources through tsx.
  const entry = compiledWorkerReady ? [COMPILED_WORKER] : ['--import', 'tsx', 'worker/main.ts'];
  const proc = spawnManaged('worker', process.execPath, [...nodeArgs, ...entry], {
    cwd: path.resolve(__dirname, '..'),
    logFile,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: opts.databaseUrl ?? infra.databaseUrl,
      TEMPORAL_ADDRESS: infra.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: infra.bundlePath,
      PUBLIC_BASE_URL: 'http://bench.local',
      // Measurements cover enrollments only; the reconciliation's minute ticks would be noise.
      RECONCILE_EVERY: 'off',
      ...BENCH_SECRETS,
      WORKER_METRICS_PORT: String(metricsPort),
      ...opts.env,
    },
  });
  await waitFor('the worker to start polling', async () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('worker started'), { timeoutMs: 60_000, intervalMs: 50, exited: proc.exited });
  const pid = proc.child.pid!;
  return {
    process: proc,
    pid,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    startupCpuMs: processCpuMs(pid),
    threadCpuMs: () => threadCpuMs(pid),
    rssBytes: () => {
      try {
        const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        return kb ? Number(kb) * 1024 : null;
      } catch {
        return null;
      }
    },
  };
}

/** A fresh, migrated database next to the bench's own (so each measurement starts from the same empty state). */
export async function freshDatabase(infra: BenchInfra, name: string): Promise<{ db: Db; url: string }> {
  await ensureDatabase(infra.databaseUrl.replace(/\/[^/]+$/, '/postgres'), name);
  const url = infra.databaseUrl.replace(/\/[^/]+$/, `/${name}`);
  const db = createDatabase(url, { max: 10 });
  await migrateToLatest(db);
  return { db, url };
}
