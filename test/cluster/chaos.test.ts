import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase, type Db } from '../../db/database';
import { startCluster, type Cluster } from '../../scripts/cluster/cluster';
import { freePorts } from '../../scripts/cluster/ports';
import { isAlive } from '../../scripts/cluster/process-tree';
import { startSmtpSink, type SmtpSink } from '../../scripts/smtp-sink';
import { startPsaEmulator, type PsaEmulator } from '../emulators/psa-emulator';
import { startDelayProxy } from '../sequences-edges/e2e';
import { ApiRecorder, isServerError, overlaps, type Window } from './chaos/api-recorder';
import { startLoad, type LoadOutcome } from './chaos/load';
import { checkSends } from './chaos/outcome-checks';
import { sendsInFlightOn } from './chaos/sends-in-flight';
import { clusterBinaries, clusterDataDir, workflowBundlePath } from './harness/cluster-env';
import { eventually } from '../harness/eventually';

/**
 * Chaos on the production topology (`npm run cluster`: Temporal as frontend, history ×2, matching ×2
 * and worker processes on PostgreSQL; two workers and two APIs of ours), under a steady load of
 * enrollments in a short sequence and promotions to the PSA, through the real APIs:
 *   1. SIGKILL worker 1 while it is sending an email, start it again; then the same for worker 2;
 *   2. SIGKILL one history and one matching process, start them again;
 *   3. restart the frontend;
 *   4. fast-shutdown PostgreSQL under everything, start it again 3 s later.
 * Then every workflow ends as it should, every email step is in the SMTP sink exactly once or is
 * `uncertain` (never twice, never silently lost), the PSA has one client per promotion, the APIs
 * answered 5xx only for requests in flight while PostgreSQL was down (and /readyz said so), and
 * stopping the cluster leaves no process behind.
 */
// Sends in flight on a SIGKILLed worker are retried after their 2-minute start-to-close timeout.
const FINISH_TIMEOUT_MS = 240_000;
jest.setTimeout(FINISH_TIMEOUT_MS + 180_000);

const PSA_KEY = 'psa-key-chaos-tests-0123456789abcdef';
const CRM_KEY = 'crm-key-chaos-tests-fedcba9876543210';

let cluster: Cluster | undefined;
let sink: SmtpSink;
let proxy: Awaited<ReturnType<typeof startDelayProxy>>;
let psa: PsaEmulator;
let db: Db;
let mailDir: string;

beforeAll(async () => {
  mailDir = await fs.mkdtemp(path.join(os.tmpdir(), 'chaos-mail-'));
  sink = await startSmtpSink({ port: 0, dir: mailDir });
  // Every SMTP conversation takes about a second: a killed worker really is mid-send.
  proxy = await startDelayProxy(sink.port, 120);
  psa = await startPsaEmulator({ psaIntegrationKey: PSA_KEY, crmIntegrationKey: CRM_KEY, confirmationDelayMs: 1_000, webhookAttempts: 8, webhookRetryDelayMs: 500 });
  cluster = await startCluster({
    dataDir: clusterDataDir('chaos'),
    ports: await freePorts(),
    ephemeralPostgres: true,
    devIntegrations: false,
    binaries: clusterBinaries(),
    workflowBundlePath: workflowBundlePath(),
    appEnv: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PSA_API_URL: psa.url,
      PSA_INTEGRATION_KEY: PSA_KEY,
      CRM_INTEGRATION_KEY: CRM_KEY,
      WRITE_RATE_LIMIT_PER_MINUTE: '100000',
      // One Schedule per namespace; this test does not exercise it.
      RECONCILE_EVERY: 'off',
    },
  });
  psa.setCrmWebhookUrl(`${cluster.apiUrls[0]}/v1/webhooks/psa`);
  db = createDatabase(cluster.databaseUrl, { max: 4, onIdleConnectionError: () => undefined });
});

afterAll(async () => {
  await cluster?.stop();
  await db?.destroy();
  await psa?.close();
  await proxy?.close();
  await sink?.close();
  await fs.rm(mailDir, { recursive: true, force: true });
});

it('survives worker, history, matching, frontend and PostgreSQL failures under load: nothing twice, nothing lost', async () => {
  const c = cluster!;
  const keys = JSON.parse(readFileSync(c.keysFile, 'utf8')) as { admin: string; rep: string; operator: string };
  const api = new ApiRecorder(c.apiUrls);

  // A mailbox on the slow SMTP path and a two-step sequence with a short delay.
  const mailbox = await api.call(0, keys.admin, 'POST', '/v1/mailboxes', '/v1/mailboxes', { provider: 'smtp', address: 'sales@crm.test', displayName: 'Sales', connected: true, syncEnabled: true, dailyLimit: 100_000, perMinuteLimit: 100_000, smtp: { host: '127.0.0.1', port: proxy.port, secure: false } });
  expect(mailbox.status).toBe(201);
  const sequence = await api.call(1, keys.admin, 'POST', '/v1/sequences', '/v1/sequences', { name: 'Chaos', mailboxId: (mailbox.body as { id: string }).id, sendWindow: null, steps: [{ subject: 'Hello', text: 'One', delay: 'PT0S' }, { subject: 'Again', text: 'Two', delay: 'PT2S' }] });
  expect(sequence.status).toBe(201);
  const { id: sequenceId, steps } = sequence.body as { id: string; steps: Array<{ id: string }> };
  expect((await api.call(0, keys.admin, 'POST', '/v1/sequences/:id/activate', `/v1/sequences/${sequenceId}/activate`)).status).toBe(200);

  const started = Date.now();
  const load = startLoad({ api, keys, sequenceId, everyMs: 350, promoteEvery: 6 });
  let probing = true;
  const probes = (async () => {
    while (probing) {
      await Promise.all(c.apiUrls.map((_, i) => api.readyz(i)));
      await sleep(200);
    }
  })();

  const figures = { kills: [] as string[], restarts: [] as string[], inFlightAtKill: [] as number[] };
  const temporalOutages: Window[] = [];
  let postgresOutage: Window | undefined;
  let outcome: LoadOutcome;
  try {
    // 1. Each worker SIGKILLed while it is sending, and started again at once.
    for (const index of [0, 1]) {
      const pid = c.processes().find((p) => p.service === 'worker' && p.index === index)!.pid!;
      const inFlight = await eventually(async () => {
        const sends = await sendsInFlightOn(db, pid, proxy.port);
        return sends > 0 ? sends : undefined;
      }, `worker ${index + 1} to be mid-send`, 90_000, 25);
      await c.kill('worker', index, 'SIGKILL');
      figures.kills.push(`worker-${index + 1}`);
      figures.inFlightAtKill.push(inFlight);
      await c.restart('worker', index);
      figures.restarts.push(`worker-${index + 1}`);
      await sleep(3_000);
    }

    // 2. One history and one matching process SIGKILLed, started again 2 s later.
    await Promise.all([c.kill('history', 0, 'SIGKILL'), c.kill('matching', 0, 'SIGKILL')]);
    figures.kills.push('history-1', 'matching-1');
    await sleep(2_000);
    await Promise.all([c.restart('history', 0), c.restart('matching', 0)]);
    figures.restarts.push('history-1', 'matching-1');
    await sleep(3_000);

    // 3. The frontend restarted (graceful stop, start).
    const frontendFrom = Date.now();
    await c.restart('frontend', 0);
    temporalOutages.push({ what: 'frontend restart', from: frontendFrom, to: Date.now() });
    figures.restarts.push('frontend-1');
    await sleep(3_000);

    // 4. PostgreSQL: fast shutdown under the cluster and the APIs, 3 s down, started again.
    const pg = await c.restartPostgres({ downMs: 3_000 });
    postgresOutage = { what: 'PostgreSQL down', from: pg.stopRequestedAt, to: pg.readyAt };
    figures.restarts.push('postgres');
    await sleep(5_000);
  } finally {
    outcome = await load.stop();
    probing = false;
    await probes;
  }
  const loadEnded = Date.now();
  expect(c.unexpectedExits).toEqual([]);

  // Every enrollment in the database (including any whose API answer was lost) and every promotion ends.
  const enrollmentRows = () => db.selectFrom('enrollments').select(['id', 'status', 'ended_reason']).where('sequence_id', '=', sequenceId).execute();
  await eventually(async () => {
    const rows = await enrollmentRows();
    return rows.every((r) => r.status === 'completed' || r.status === 'ended') ? rows : undefined;
  }, 'every enrollment to end', FINISH_TIMEOUT_MS, 1_000);
  await eventually(async () => {
    if (outcome.promoted.length === 0) return true;
    const rows = await db.selectFrom('promotions').select(['company_id', 'status']).where('company_id', 'in', outcome.promoted).execute();
    return rows.length === outcome.promoted.length && rows.every((r) => r.status === 'completed' || r.status === 'failed') ? rows : undefined;
  }, 'every promotion to end', FINISH_TIMEOUT_MS, 1_000);
  const finished = Date.now();

  const rows = await enrollmentRows();
  const confirmed = new Set(outcome.enrolled);
  // Enrolled means completed; an enrollment the API did not confirm may only have ended because its workflow never started.
  expect(rows.filter((r) => confirmed.has(r.id) && r.status !== 'completed')).toEqual([]);
  expect(rows.filter((r) => !confirmed.has(r.id) && !(r.status === 'completed' || r.ended_reason === 'WORKFLOW_START_FAILED'))).toEqual([]);
  expect(outcome.rejected).toEqual([]);
  expect(outcome.abandoned).toBe(0);
  expect(outcome.enrolled.length).toBeGreaterThan(20);

  // Emails: exactly once, or uncertain; never twice, never lost.
  const completedIds = rows.filter((r) => r.status === 'completed').map((r) => r.id);
  const sends = await checkSends(db, mailDir, completedIds, steps.map((s) => s.id));
  expect(sends.problems).toEqual([]);
  expect({ duplicates: sends.duplicates, lost: sends.lost, unknown: sends.unknown }).toEqual({ duplicates: 0, lost: 0, unknown: 0 });
  // The kills hit sends in flight.
  expect(figures.inFlightAtKill.every((n) => n > 0)).toBe(true);

  // Promotions: completed, and exactly one PSA client each.
  const promotions = await db.selectFrom('promotions').select(['company_id', 'status', 'psa_client_id']).where('company_id', 'in', outcome.promoted.length ? outcome.promoted : ['00000000-0000-0000-0000-000000000000']).execute();
  expect(promotions.filter((p) => p.status !== 'completed')).toEqual([]);
  const clients = [...psa.state.clients.values()];
  for (const companyId of outcome.promoted) expect(clients.filter((cl) => cl.crmCompanyId === companyId)).toHaveLength(1);
  expect(clients).toHaveLength(outcome.promoted.length);
  expect(outcome.promoted.length).toBeGreaterThan(2);

  // 5xx only for requests in flight while PostgreSQL was down, or in the second after it was back:
  // Temporal keeps its state there too, and its namespace registry remembers a failed lookup for 1 s
  // (readthroughCacheTTL), answering "namespace not found" meanwhile. The API turned that into a 503
  // (promotion: call again) or WORKFLOW_START_FAILED (enrollment: retry), and the retries succeeded.
  const outage = postgresOutage!;
  const recovery = { what: 'PostgreSQL down, and Temporal 1 s after', from: outage.from, to: outage.to + 2_000 };
  expect(outcome.startFailures.filter((a) => !overlaps(a, recovery))).toEqual([]);
  const business = api.answers.filter((a) => a.route !== 'GET /readyz');
  const readyz = api.answers.filter((a) => a.route === 'GET /readyz');
  expect(business.filter((a) => isServerError(a) && !overlaps(a, recovery))).toEqual([]);
  expect(readyz.filter((a) => a.status !== 200 && !(a.failedChecks?.includes('database') ? overlaps(a, outage) : [recovery, ...temporalOutages].some((w) => overlaps(a, w))))).toEqual([]);
  expect(readyz.some((a) => a.status === 503 && a.failedChecks?.includes('database') && overlaps(a, outage))).toBe(true);

  // Stopping leaves nothing behind.
  const pids = c.processes().map((p) => p.pid!).filter(Boolean);
  const { leftBehind } = await c.stop();
  cluster = undefined;
  expect(leftBehind).toEqual([]);
  expect(pids.filter(isAlive)).toEqual([]);

  const report = {
    workflows: { enrollments: rows.length, completed: completedIds.length, promotions: outcome.promoted.length },
    emails: { steps: sends.steps, sent: sends.sent, uncertain: sends.uncertain, uncertainDelivered: sends.uncertainDelivered, duplicates: sends.duplicates, lost: sends.lost },
    kills: figures.kills,
    sendsInFlightAtKill: figures.inFlightAtKill,
    restarts: figures.restarts,
    api: { requests: business.length, serverErrors: business.filter(isServerError).length, serverErrorsAfterPostgresReady: business.filter((a) => isServerError(a) && a.endedAt > outage.to).length, workflowStartFailed: outcome.startFailures.length, retries: outcome.retries, readyzProbes: readyz.length, readyzDatabaseDown: readyz.filter((a) => a.failedChecks?.includes('database')).length },
    postgresDownMs: outage.to - outage.from,
    seconds: { load: Math.round((loadEnded - started) / 1000), untilAllEnded: Math.round((finished - started) / 1000) },
    leftBehind: leftBehind.length,
  };
  console.log(`[chaos] ${JSON.stringify(report, null, 1)}`);
});
