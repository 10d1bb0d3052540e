/**
 * Crash test with real processes: the worker is SIGKILLed in the middle of an initial load (Bulk API
 * results read page by page, slowed down so the kill lands mid-load). A second worker resumes from the
 * last committed page: every CRM record ends up exactly once locally (no duplicate contact), and a
 * change made in the CRM while no worker ran arrives (no lost update).
 */
import { sql } from 'kysely';
import { callJson } from '../harness/api';
import { eventually } from '../harness/eventually';
import { workerProcesses } from '../harness/worker-process';
import { seedAccount, startSyncWorld, type SyncWorld } from './world';

const CONTACTS = 5_000;
// The killed worker's load is retried once its heartbeat times out (30 s).
jest.setTimeout(240_000);

let w: SyncWorld;
const workers = workerProcesses();
const startWorker = () =>
  workers.start({ DATABASE_URL: w.tdb.url, TEMPORAL_TASK_QUEUE: w.taskQueue, ERASURE_HASH_SECRET: w.config.ERASURE_HASH_SECRET, CRM_SYNC_BULK_PAGE_SIZE: '250' });

beforeAll(async () => {
  w = await startSyncWorld();
});
afterAll(async () => {
  await workers.killAll();
  await w?.close();
});

it('resumes an initial load killed mid-way from the committed page: no duplicate, no lost update', async () => {
  const acc = seedAccount(w);
  w.emulator.control.generate('Contact', CONTACTS, { accountId: acc });
  // Every results page answers 250 ms late: the load takes seconds, long enough to kill it mid-way.
  w.emulator.control.addFault({ method: 'GET', path: '/results', kind: 'delay', delayMs: 250, times: 1_000 });

  const first = await startWorker();
  const id = await w.createConnector({ objects: ['Account', 'Contact'] });
  const loaded = () => w.tdb.db.selectFrom('sync_records').select(sql<string>`count(*)`.as('n')).where('connector_id', '=', id).where('object', '=', 'Contact').executeTakeFirstOrThrow().then((r) => Number(r.n));
  await eventually(async () => ((await loaded()) >= 750 ? true : undefined), 'part of the load to commit', 60_000, 20);
  first.kill('SIGKILL');
  await workers.exited(first);
  const atKill = await loaded();
  expect(atKill).toBeLessThan(CONTACTS);

  // While no worker runs, a record already loaded changes in the CRM.
  const [changed] = await w.tdb.db.selectFrom('sync_records').select('external_id').where('connector_id', '=', id).where('object', '=', 'Contact').orderBy('external_id').limit(1).execute();
  w.emulator.control.edit(changed!.external_id, { LastName: 'ChangedWhileDown' });
  await w.later();

  const second = await startWorker();
  await eventually(async () => {
    const cursor = await w.tdb.db.selectFrom('sync_cursors').select('full_load').where('connector_id', '=', id).where('object', '=', 'Contact').executeTakeFirstOrThrow();
    return cursor.full_load === null ? true : undefined;
  }, 'the load to finish on the second worker', 180_000, 200);
  await callJson(w.app, w.keys.admin, 'POST', `/v1/connectors/${id}/sync-now`, undefined, 202);
  await eventually(async () => {
    const row = await w.tdb.db.selectFrom('contacts as c').innerJoin('sync_records as r', 'r.local_id', 'c.id').select('c.last_name').where('r.connector_id', '=', id).where('r.external_id', '=', changed!.external_id).executeTakeFirst();
    return row?.last_name === 'ChangedWhileDown' ? true : undefined;
  }, 'the change made while down to arrive', 60_000, 200);
  second.kill('SIGTERM');
  await workers.exited(second);

  expect(await loaded()).toBe(CONTACTS);
  const duplicates = await sql<{ n: string }>`select count(*) as n from (select email_normalized from contacts group by email_normalized having count(*) > 1) d`.execute(w.tdb.db);
  expect(Number(duplicates.rows[0]!.n)).toBe(0);
  const contacts = await w.tdb.db.selectFrom('contacts').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
  expect(Number(contacts.n)).toBe(CONTACTS);
  const links = await w.tdb.db.selectFrom('sync_records').select(sql<string>`count(distinct local_id)`.as('n')).where('connector_id', '=', id).where('object', '=', 'Contact').executeTakeFirstOrThrow();
  expect(Number(links.n)).toBe(CONTACTS);
  // The resumed load did not start over: one bulk job for Contacts.
  const jobs = w.emulator.control.requests({ method: 'POST', path: '/jobs/query' }).filter((r) => !r.path.includes('/jobs/query/'));
  expect(jobs).toHaveLength(2);
});
