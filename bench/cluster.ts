import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../api/app';
import { createDatabase } from '../db/database';
import { loadConfig } from '../domain/config';
import { payloadKeysSchema } from '../domain/payload-keys';
import { ensureClusterBinaries } from '../scripts/cluster/binaries';
import { startCluster } from '../scripts/cluster/cluster';
import { freePorts, type Replicas } from '../scripts/cluster/ports';
import { connectTemporal } from '../temporal/client';
import { perUnit } from './cpu';
import { adminKey, createSequence, insertContacts } from './fixtures';
import { BENCH_SECRETS, startWorkerProcess, type WorkerProcess } from './infra';
import { enrollVersusNoop, eventsPerFirstStep, firstStepSends, round, type Rate } from './phases';

/**
 * `npm run bench -- --cluster`: the enrollment benchmark on the production topology of `npm run cluster`
 * (Temporal as frontend, history ×2, matching ×2 and worker processes on PostgreSQL), brought up through
 * its launcher with no workers or APIs of its own: the bench enrolls through an in-process API, as on
 * the dev server, then starts 1 and then 2 worker processes on a fresh backlog each.
 */
const REPLICAS: Replicas = { history: 2, matching: 2, apis: 0, workers: 0 };
const TASK_QUEUE = 'bench-sequences';

export interface ClusterRound {
  workers: number;
  noopWorkflowStarts: Rate;
  bulkEnrollment: Rate;
  enrollVsNoopRatio: number;
  firstStepSends: Rate;
  cpuPerFirstStepSend: ReturnType<typeof perUnit>;
  workflowCacheDuringSends: { hits: number; misses: number; replays: number; evictions: number } | null;
  eventsPerFirstStep: { mean: number; max: number; samples: number };
}

export async function clusterSequencePhases(opts: { contacts: number; bundlePath: string; smtpPort: number; workerCounts: number[]; excludeCpuOf: number[]; log: (m: string) => void }): Promise<{ rounds: ClusterRound[] }> {
  const { log, contacts } = opts;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-bench-cluster-'));
  // PostgreSQL runs as the postgres user when we are root: it must reach its data dir.
  chmodSync(dir, 0o755);
  const binaries = await ensureClusterBinaries(log);
  log(`starting the cluster (history ×${REPLICAS.history}, matching ×${REPLICAS.matching}) in ${dir}`);
  const cluster = await startCluster({
    dataDir: dir,
    ports: await freePorts(REPLICAS),
    replicas: REPLICAS,
    ephemeralPostgres: true,
    devIntegrations: false,
    ui: false,
    binaries,
    workflowBundlePath: opts.bundlePath,
    appConfig: loadConfig({ NODE_ENV: 'test', PUBLIC_BASE_URL: 'http://bench.local', ...BENCH_SECRETS }),
    log: (m) => log(`  cluster: ${m}`),
  });
  const db = createDatabase(cluster.databaseUrl, { max: 20 });
  const temporal = await connectTemporal({ address: cluster.address, namespace: cluster.namespace, settings: { TEMPORAL_PAYLOAD_KEY: payloadKeysSchema.parse(BENCH_SECRETS.TEMPORAL_PAYLOAD_KEY) } });
  const target = { dir, db, databaseUrl: cluster.databaseUrl, temporal: temporal.client, temporalAddress: cluster.address, bundlePath: opts.bundlePath };
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', TEMPORAL_ADDRESS: cluster.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE, PUBLIC_BASE_URL: 'http://bench.local', DATABASE_URL: cluster.databaseUrl, ...BENCH_SECRETS });
  const app = await buildApp({ db, temporal: temporal.client, config, logger: false });
  await app.ready();
  let workers: WorkerProcess[] = [];
  try {
    const key = await adminKey(db);
    const rounds: ClusterRound[] = [];
    for (const count of opts.workerCounts) {
      const sequenceId = await createSequence(app, key, opts.smtpPort, ['PT0S', 'P1D', 'P2D', 'P3D', 'P4D']);
      const contactIds = await insertContacts(db, contacts, `cluster-${count}w`);
      log(`cluster, ${count} worker(s): bulk-enrolling ${contacts} contacts vs ${contacts} no-op starts`);
      const { enroll, noop, enrollmentIds, cpuPerStart } = await enrollVersusNoop(app, key, target, sequenceId, contactIds, 'bench-noop', opts.excludeCpuOf);
      log(`cluster, ${count} worker(s): CPU ms per start, enrollment ${JSON.stringify(cpuPerStart.enroll)}, no-op ${JSON.stringify(cpuPerStart.noop)}`);
      log(`cluster, ${count} worker(s): first-step sends`);
      const first = await firstStepSends(target, sequenceId, contacts, async () => {
        workers = await Promise.all(Array.from({ length: count }, (_, i) => startWorkerProcess(target, TASK_QUEUE, { name: `cluster-${count}w-${i + 1}` })));
        return workers;
      }, log, { excludeCpuOf: opts.excludeCpuOf });
      const events = await eventsPerFirstStep(target, enrollmentIds);
      await Promise.all(workers.map((w) => w.process.stop({ graceMs: 15_000 })));
      workers = [];
      rounds.push({ workers: count, noopWorkflowStarts: noop, bulkEnrollment: enroll, enrollVsNoopRatio: round(enroll.perSecond / noop.perSecond, 2), firstStepSends: first.rate, cpuPerFirstStepSend: perUnit(first.cpu, contacts), workflowCacheDuringSends: first.workflowCache, eventsPerFirstStep: events });
    }
    return { rounds };
  } finally {
    await Promise.all(workers.map((w) => w.process.stop({ graceMs: 15_000 })));
    await app.close();
    await temporal.close();
    await db.destroy();
    const { leftBehind } = await cluster.stop();
    if (leftBehind.length > 0) log(`cluster: processes left behind: ${leftBehind.join(', ')}`);
    if (!process.env.KEEP_BENCH_DATA) rmSync(dir, { recursive: true, force: true });
  }
}

export function printClusterRounds(dev: { noop: Rate; enroll: Rate; sends: Rate; cpuMs: number; events: number } | undefined, rounds: ClusterRound[]): void {
  const rows = [
    ...(dev ? [{ server: 'dev server, 1 worker', 'no-op starts/s': dev.noop.perSecond, 'enrollments/s': dev.enroll.perSecond, ratio: round(dev.enroll.perSecond / dev.noop.perSecond, 2), 'first-step sends/s': dev.sends.perSecond, 'CPU ms/send': dev.cpuMs, 'events/enrollment': dev.events }] : []),
    ...rounds.map((r) => ({ server: `cluster, ${r.workers} worker${r.workers > 1 ? 's' : ''}`, 'no-op starts/s': r.noopWorkflowStarts.perSecond, 'enrollments/s': r.bulkEnrollment.perSecond, ratio: r.enrollVsNoopRatio, 'first-step sends/s': r.firstStepSends.perSecond, 'CPU ms/send': r.cpuPerFirstStepSend.totalMs, 'events/enrollment': r.eventsPerFirstStep.mean })),
  ];
  console.table(rows);
  for (const r of rounds) console.log(`[bench] cluster, ${r.workers} worker(s): CPU per send by tier (ms): ${JSON.stringify(r.cpuPerFirstStepSend.byKind)}, bench process ${r.cpuPerFirstStepSend.benchProcessMs} ms`);
}
