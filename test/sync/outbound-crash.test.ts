/**
 * Crash test with real processes: the worker is SIGKILLed in the middle of a push — Salesforce has
 * made the records (the emulator answers the upsert call late, after writing) but the worker never
 * read the answer, so nothing was recorded locally. A second worker pushes the queue again: creates
 * are upserts on our external id (CRM_Workflows_Id__c), so it finds the records it made — each local
 * contact exists exactly once in the CRM, and the queue drains.
 */
import { sql } from 'kysely';
import { callJson } from '../harness/api';
import { eventually } from '../harness/eventually';
import { workerProcesses } from '../harness/worker-process';
import { seedAccount, startSyncWorld, type SyncWorld } from './world';

const CONTACTS = 150;
// The killed worker's push is retried once its heartbeat times out (30 s).
jest.setTimeout(240_000);

let w: SyncWorld;
const workers = workerProcesses();
const startWorker = () => workers.start({ DATABASE_URL: w.tdb.url, TEMPORAL_TASK_QUEUE: w.taskQueue, ERASURE_HASH_SECRET: w.config.ERASURE_HASH_SECRET });

beforeAll(async () => {
  w = await startSyncWorld();
});
afterAll(async () => {
  await workers.killAll();
  await w?.close();
});

const pushedToCrm = () => w.emulator.control.records('Contact').filter((r) => typeof r.CRM_Workflows_Id__c === 'string' && String(r.Email).endsWith('@crash-push.example'));
const queued = (connectorId: string) =>
  w.tdb.db.selectFrom('sync_outbound').select(sql<string>`count(*)`.as('n')).where('connector_id', '=', connectorId).where('local_kind', '=', 'contact').executeTakeFirstOrThrow().then((r) => Number(r.n));

it('a worker killed after Salesforce made the records but before it recorded them: the retry creates no duplicate', async () => {
  const accountId = seedAccount(w, { Name: 'Crash Push Co' });
  const first = await startWorker();
  const connectorId = await w.createConnector({ objects: ['Account', 'Contact'], outbound: true });
  const company = await eventually(
    () => w.tdb.db.selectFrom('sync_records').select('local_id').where('connector_id', '=', connectorId).where('external_id', '=', accountId).where('status', '=', 'synced').executeTakeFirst(),
    'the first cycle to link the account',
    60_000,
    100,
  );
  await eventually(async () => {
    const c = await w.tdb.db.selectFrom('sync_cycles').select('status').where('connector_id', '=', connectorId).where('status', '=', 'completed').executeTakeFirst();
    return c ? true : undefined;
  }, 'the first cycle to end', 60_000, 100);

  const rep = await w.tdb.db.selectFrom('users').select('id').where('role', '=', 'rep').executeTakeFirstOrThrow();
  await sql`
    insert into contacts (email, email_normalized, last_name, company_id, owner_id)
    select 'p' || i || '@crash-push.example', 'p' || i || '@crash-push.example', 'Person' || i, ${company.local_id}::uuid, ${rep.id}::uuid
    from generate_series(1, ${CONTACTS}) as i`.execute(w.tdb.db);
  expect(await queued(connectorId)).toBe(CONTACTS);
  // The upsert is carried out at once and answered 20 s later: the kill lands between the two.
  w.emulator.control.addFault({ method: 'PATCH', path: '/composite/sobjects/Contact/CRM_Workflows_Id__c', kind: 'delay', delayMs: 20_000, times: 1 });

  await callJson(w.app, w.keys.admin, 'POST', `/v1/connectors/${connectorId}/sync-now`, undefined, 202);
  await eventually(async () => (pushedToCrm().length === CONTACTS ? true : undefined), 'Salesforce to make the records', 60_000, 50);
  first.kill('SIGKILL');
  await workers.exited(first);
  // Nothing was recorded: the queue still holds every contact, no link exists yet.
  expect(await queued(connectorId)).toBe(CONTACTS);

  const second = await startWorker();
  await eventually(async () => ((await queued(connectorId)) === 0 ? true : undefined), 'the second worker to drain the queue', 180_000, 200);
  second.kill('SIGTERM');
  await workers.exited(second);

  const crm = pushedToCrm();
  expect(crm).toHaveLength(CONTACTS);
  expect(new Set(crm.map((r) => r.CRM_Workflows_Id__c)).size).toBe(CONTACTS);
  expect(new Set(crm.map((r) => String(r.Email).toLowerCase())).size).toBe(CONTACTS);
  const links = await w.tdb.db.selectFrom('sync_records').select(sql<string>`count(distinct external_id)`.as('n')).where('connector_id', '=', connectorId).where('object', '=', 'Contact').executeTakeFirstOrThrow();
  expect(Number(links.n)).toBe(CONTACTS);
  // The emulator journals a call when it is answered: the killed call never was; the retry's upsert was,
  // and it found the records the first call made (created: false) — recorded as updates, not creates.
  expect(w.emulator.control.requests({ method: 'PATCH', path: '/composite/sobjects/Contact/CRM_Workflows_Id__c' })).toHaveLength(1);
  const outcomes = await w.tdb.db.selectFrom('sync_record_pushes').select(['outcome', sql<string>`count(*)`.as('n')]).where('connector_id', '=', connectorId).where('local_kind', '=', 'contact').groupBy('outcome').execute();
  expect(outcomes.map((o) => ({ outcome: o.outcome, n: Number(o.n) }))).toEqual([{ outcome: 'updated', n: CONTACTS }]);
});
