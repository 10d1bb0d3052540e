/**
 * Issue 11's push benchmark (`npm run bench -- --only=sync-push`): 10,000 changed local contacts (owned,
 * under a company linked to a synced account) pushed to the Salesforce emulator by one cycle of the loop
 * on a worker process — through one Bulk API 2.0 ingest job, since they are more than 2,000 rows. Then
 * 1,000 of them change again (below the Bulk threshold: sObject Collections of 200). Figures: API calls
 * used (the cycle's count and the emulator's journal), wall time, rows/s.
 */
import { sql } from 'kysely';
import { performance } from 'node:perf_hooks';
import { waitFor } from '../scripts/managed-process';
import { connectorService } from '../services/sync/connectors';
import { startSalesforceEmulator } from '../test/emulators/salesforce';
import { BENCH_SECRETS, freshDatabase, startWorkerProcess, type BenchInfra } from './infra';
import { round } from './phases';

const CREDENTIALS = { clientId: 'bench-app', clientSecret: 'bench-app-secret' };
const T0 = '2026-03-02T10:00:00.000Z';
export const PUSH_CONTACTS = 10_000;
const CHANGED_AGAIN = 1_000;

export interface PushRun {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** The cycle's count: CRM calls of the whole cycle (change feeds, reads before updates, writes). */
  cycleApiCalls: number;
  /** Write calls seen by the emulator: Bulk ingest requests (create, upload, close, polls, results) or Collections calls. */
  writeCalls: number;
}

export interface SyncPushBench {
  bulkCreate: PushRun;
  collectionsUpdate: PushRun;
}

export async function syncPushBench(infra: BenchInfra, log: (m: string) => void): Promise<SyncPushBench> {
  const emulator = await startSalesforceEmulator({ ...CREDENTIALS, now: T0, settings: { bulkPollsUntilComplete: 0 } });
  const { db, url } = await freshDatabase(infra, 'bench_sync_push');
  let worker: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
  try {
    const [accountId] = emulator.control.seed('Account', [{ Name: 'Push Co', Type: 'Customer', Website: 'https://push.example' }]);
    const taskQueue = 'bench-sync-push';
    worker = await startWorkerProcess(infra, taskQueue, { databaseUrl: url, env: { DEDUP_SCAN_AT: 'off' } });
    const service = connectorService({ db, temporal: infra.temporal, config: { SECRETS_KEY: BENCH_SECRETS.SECRETS_KEY, TEMPORAL_TASK_QUEUE: taskQueue } });
    const connector = await service.create({ type: 'salesforce', name: 'Bench push', settings: { loginUrl: emulator.url, ...CREDENTIALS, objects: ['Account', 'Contact'], cadence: 'PT1H', recordCap: PUSH_CONTACTS, outbound: true } }, { userId: null, role: 'system' });
    const cycleDone = async (after: Date) =>
      db.selectFrom('sync_cycles').selectAll().where('connector_id', '=', connector.id).where('started_at', '>=', after).where('status', '=', 'completed').orderBy('started_at', 'desc').executeTakeFirst();
    await waitFor('the first cycle', async () => (await cycleDone(new Date(Date.now() - 60_000))) !== undefined, { timeoutMs: 120_000, intervalMs: 100 });
    const company = await db.selectFrom('sync_records').select('local_id').where('connector_id', '=', connector.id).where('external_id', '=', accountId!).executeTakeFirstOrThrow();
    const owner = await db.insertInto('users').values({ name: 'Bench rep', role: 'rep' }).returning('id').executeTakeFirstOrThrow();

    const run = async (label: string, rows: number, writePath: RegExp): Promise<PushRun> => {
      emulator.control.clearRequests();
      const start = new Date();
      const t = performance.now();
      await service.syncNow(connector.id);
      let cycle: Awaited<ReturnType<typeof cycleDone>>;
      await waitFor(label, async () => (cycle = await cycleDone(start)) !== undefined, { timeoutMs: 900_000, intervalMs: 50 });
      const seconds = (performance.now() - t) / 1000;
      if (cycle!.outbound_pushed !== rows) throw new Error(`${label}: expected ${rows} pushed, got ${cycle!.outbound_pushed} (failed ${cycle!.outbound_failed})`);
      const writeCalls = emulator.control.requests({}).filter((r) => writePath.test(r.path)).length;
      return { rows, seconds: round(seconds, 2), rowsPerSecond: Math.round(rows / seconds), cycleApiCalls: cycle!.api_calls, writeCalls };
    };

    log(`pushing ${PUSH_CONTACTS} new owned contacts (Bulk API 2.0 ingest, upserts on CRM_Workflows_Id__c)`);
    await sql`
      insert into contacts (email, email_normalized, first_name, last_name, company_id, owner_id)
      select 'push' || i || '@push.example', 'push' || i || '@push.example', 'First' || i, 'Person' || i, ${company.local_id}::uuid, ${owner.id}::uuid
      from generate_series(1, ${PUSH_CONTACTS}) as i`.execute(db);
    const bulkCreate = await run('the Bulk push', PUSH_CONTACTS, /\/jobs\/ingest/);
    const inCrm = emulator.control.records('Contact').filter((r) => typeof r.CRM_Workflows_Id__c === 'string').length;
    if (inCrm !== PUSH_CONTACTS) throw new Error(`expected ${PUSH_CONTACTS} contacts in the CRM, got ${inCrm}`);

    log(`pushing ${CHANGED_AGAIN} changed contacts (sObject Collections, 200 a call)`);
    await sql`update contacts set first_name = 'Changed' || first_name where email_normalized like 'push%@push.example' and split_part(split_part(email_normalized, '@', 1), 'push', 2)::int <= ${CHANGED_AGAIN}`.execute(db);
    const collectionsUpdate = await run('the Collections push', CHANGED_AGAIN, /\/composite\/sobjects$/);
    return { bulkCreate, collectionsUpdate };
  } finally {
    await worker?.process.stop({ graceMs: 15_000 });
    await emulator.stop();
    await db.destroy();
  }
}

export function printSyncPushTable(r: SyncPushBench): void {
  console.table([
    { metric: `push ${r.bulkCreate.rows} new contacts (one Bulk API 2.0 ingest job)`, value: `${r.bulkCreate.seconds} s, ${r.bulkCreate.rowsPerSecond} rows/s`, 'API calls': `${r.bulkCreate.writeCalls} ingest requests; cycle total ${r.bulkCreate.cycleApiCalls}` },
    { metric: `push ${r.collectionsUpdate.rows} changed contacts (Collections, 200 a call)`, value: `${r.collectionsUpdate.seconds} s, ${r.collectionsUpdate.rowsPerSecond} rows/s`, 'API calls': `${r.collectionsUpdate.writeCalls} Collections writes; cycle total ${r.collectionsUpdate.cycleApiCalls}` },
  ]);
}
