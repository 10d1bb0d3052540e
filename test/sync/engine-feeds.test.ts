/**
 * The change feeds and the CRM's limits through the engine (one cycle at a time, no Temporal): the
 * cycle cap and its queue (owned first), deletes, merges, undelete, purge and cursor expiry (resync by
 * snapshot diff), the Bulk API 2.0 initial load over several result pages, the API budget, 403 limit
 * back-off, 401 refresh and the permanent-401 guard.
 */
import { callJson } from '../harness/api';
import { contactOf, seedAccount, seedContacts, startSyncWorld, type Json, type SyncWorld } from './world';

jest.setTimeout(180_000);

let w: SyncWorld;
beforeAll(async () => {
  w = await startSyncWorld({ overrides: { CRM_SYNC_BULK_PAGE_SIZE: '1000' } });
});
afterAll(async () => w?.close());
beforeEach(() => w.emulator.control.reset());

const code = async (connectorId: string, id: string) => {
  const r = await w.record(connectorId, id);
  return `${r.status}:${r.code ?? ''}`;
};

it('initial load above 2,000 records goes through Bulk API 2.0 with several result pages (read by us)', async () => {
  const acc = seedAccount(w);
  const { count } = w.emulator.control.generate('Contact', 2_500, { accountId: acc });
  expect(count).toBe(2_500);
  const id = await w.createConnector({ objects: ['Account', 'Contact'] });
  const cycle = await w.runCycle(id);
  expect(cycle).toMatchObject({ kind: 'initial', status: 'completed' });
  expect(cycle.records_read).toBe(2_501);
  const synced = await w.tdb.db.selectFrom('sync_records').select((eb) => eb.fn.countAll<string>().as('n')).where('connector_id', '=', id).where('object', '=', 'Contact').where('status', '=', 'synced').executeTakeFirstOrThrow();
  expect(Number(synced.n)).toBe(2_500);
  const contacts = await w.tdb.db.selectFrom('contacts').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  expect(Number(contacts.n)).toBeGreaterThanOrEqual(2_500);
  // Pages of CRM_SYNC_BULK_PAGE_SIZE (1,000 here): the second and third asked with Salesforce's locator.
  const pages = w.emulator.control.requests({ path: '/jobs/query/' }).filter((r) => r.path.includes('/results'));
  const contactPages = pages.slice(-3);
  expect(contactPages.map((p) => new URL(p.path, 'http://x').searchParams.has('locator'))).toEqual([false, true, true]);
  expect(w.emulator.control.requests({ path: '/query?' })).toEqual([]);
});

it('over the cycle cap, records wait in a visible queue (QUEUED_OVER_CAP), records of owned contacts first', async () => {
  const acc = seedAccount(w);
  const ids = seedContacts(w, [1, 2, 3, 4].map((i) => ({ AccountId: acc, LastName: `P${i}`, Email: `p${i}@acme.example` })));
  const id = await w.createConnector({ recordCap: 2, objects: ['Account', 'Contact'] });
  await w.runCycle(id);
  // The first change-feed window overlaps the initial load (its watermark is a minute before the job): drain it.
  await w.later();
  while ((await w.runCycle(id)).codes.QUEUED_OVER_CAP);
  // The last one gets an owner locally; all four change in the CRM.
  const owned = await contactOf(w, id, ids[3]!);
  await w.tdb.db.updateTable('contacts').set({ owner_id: w.keys.userIds.rep }).where('id', '=', owned.id).execute();
  for (const c of ids) w.emulator.control.edit(c, { Title: 'New' });
  await w.later();
  const first = await w.runCycle(id);
  expect(first.records_read).toBe(2);
  expect(first.codes).toMatchObject({ QUEUED_OVER_CAP: 2 });
  const queue = await callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${id}/records?code=QUEUED_OVER_CAP`, undefined, 200);
  expect(queue.items).toHaveLength(2);
  expect(queue.items.map((r: Json) => r.externalId)).not.toContain(ids[3]);
  expect(queue.items[0].queue).toMatchObject({ code: 'QUEUED_OVER_CAP', op: 'upsert' });
  const health = await callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${id}/health`, undefined, 200);
  expect(health.queue).toMatchObject({ length: 2, overCap: 2 });
  const second = await w.runCycle(id);
  expect(second.records_read).toBe(2);
  expect((await callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${id}/health`, undefined, 200)).queue.length).toBe(0);
});

it('deleted: CRM_DELETED (not recreated); undeleted: syncs again; a new CRM record with the same email takes over the local contact', async () => {
  const acc = seedAccount(w);
  const [c] = seedContacts(w, [{ AccountId: acc, FirstName: 'Del', Email: 'del@acme.example' }]) as [string];
  const id = await w.createConnector({ objects: ['Account', 'Contact'] });
  await w.runCycle(id);
  const local = await contactOf(w, id, c);
  w.emulator.control.delete([c]);
  await w.later();
  await w.runCycle(id);
  expect(await code(id, c)).toBe('stopped:CRM_DELETED');
  expect((await contactOf(w, id, c)).id).toBe(local.id);
  w.emulator.control.undelete([c]);
  w.emulator.control.edit(c, { FirstName: 'Back' });
  await w.later();
  await w.runCycle(id);
  expect(await code(id, c)).toBe('synced:');
  expect((await contactOf(w, id, c)).first_name).toBe('Back');

  w.emulator.control.delete([c]);
  await w.later();
  await w.runCycle(id);
  const [fresh] = seedContacts(w, [{ AccountId: acc, FirstName: 'New', Email: 'DEL@acme.example' }]) as [string];
  await w.later();
  await w.runCycle(id);
  expect(await w.record(id, fresh)).toMatchObject({ status: 'synced', local: { id: local.id } });
  expect((await contactOf(w, id, fresh)).first_name).toBe('New');
  expect(await w.tdb.db.selectFrom('contacts').select('id').where('email_normalized', '=', 'del@acme.example').execute()).toHaveLength(1);
});

it('merged: the loser stops with CRM_MERGED and the survivor id; the survivor keeps updating', async () => {
  const acc = seedAccount(w);
  const [winner, loser] = seedContacts(w, [{ AccountId: acc, FirstName: 'Win', Email: 'win@acme.example' }, { AccountId: acc, FirstName: 'Lose', Email: 'lose@acme.example' }]) as [string, string];
  const id = await w.createConnector({ objects: ['Account', 'Contact'] });
  await w.runCycle(id);
  w.emulator.control.merge('Contact', winner, [loser]);
  w.emulator.control.edit(winner, { FirstName: 'Winner' });
  await w.later();
  await w.runCycle(id);
  expect(await w.record(id, loser)).toMatchObject({ status: 'stopped', code: 'CRM_MERGED', masterRecordId: winner });
  expect((await contactOf(w, id, winner)).first_name).toBe('Winner');
  const history = await w.tdb.db.selectFrom('sync_record_versions').select(['status', 'code']).where('connector_id', '=', id).where('external_id', '=', loser).execute();
  expect(history).toEqual([{ status: 'synced', code: null }]);
});

it('purged records and an expired cursor force a full resync by snapshot diff (CURSOR_EXPIRED_RESYNC), never a silent gap', async () => {
  const acc = seedAccount(w);
  const [keep, purge] = seedContacts(w, [{ AccountId: acc, Email: 'keep@acme.example' }, { AccountId: acc, Email: 'purge@acme.example' }]) as [string, string];
  const id = await w.createConnector({ objects: ['Account', 'Contact'] });
  await w.runCycle(id);
  // Deleted and purged from the recycle bin before any cycle saw the delete: the deleted feed has a gap.
  w.emulator.control.delete([purge]);
  w.emulator.control.purge([purge]);
  await w.later();
  const resync = await w.runCycle(id);
  expect(resync).toMatchObject({ kind: 'resync', code: 'CURSOR_EXPIRED_RESYNC', status: 'completed' });
  expect(resync.codes).toMatchObject({ CURSOR_EXPIRED_RESYNC: 1, CRM_DELETED: 1 });
  expect(await code(id, purge)).toBe('stopped:CRM_DELETED');
  expect(await code(id, keep)).toBe('synced:');

  // 31 days without a cycle: Salesforce no longer serves the window (INVALID_REPLICATION_DATE territory).
  w.emulator.control.edit(keep, { FirstName: 'Later' });
  await w.later(31 * 24 * 60);
  const expired = await w.runCycle(id);
  expect(expired).toMatchObject({ kind: 'resync', code: 'CURSOR_EXPIRED_RESYNC' });
  expect((await contactOf(w, id, keep)).first_name).toBe('Later');
  await w.later();
  expect(await w.runCycle(id)).toMatchObject({ kind: 'incremental', code: null });
});

it('keeps under its share of the daily allowance (API_BUDGET_DEFERRED), and backs off on REQUEST_LIMIT_EXCEEDED', async () => {
  seedAccount(w);
  w.emulator.control.setLimits({ dailyApiRequests: { max: 40, used: 0 } });
  const id = await w.createConnector({ objects: ['Account', 'Contact'], apiBudgetShare: 0.5 });
  const cycles = [];
  for (let i = 0; i < 8; i++) {
    await w.later();
    cycles.push(await w.runCycle(id));
    if (cycles[cycles.length - 1]!.status === 'deferred') break;
  }
  const last = cycles[cycles.length - 1]!;
  expect(last).toMatchObject({ status: 'deferred', code: 'API_BUDGET_DEFERRED', api_calls: 0 });
  expect(last.deferred_until!.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
  const used = cycles.reduce((n, c) => n + c.api_calls, 0);
  expect(used).toBeLessThanOrEqual(20);
  expect(w.emulator.control.limits().DailyApiRequests!.Remaining).toBeGreaterThanOrEqual(20);

  // Another app used the org up: 403 REQUEST_LIMIT_EXCEEDED → deferred with the code, not a retry storm.
  w.emulator.control.setLimits({ dailyApiRequests: { max: 1_000, used: 1_000 } });
  const other = await w.createConnector({ objects: ['Account'], detectDuplicatesOnCreate: false });
  const refused = await w.runCycle(other);
  expect(refused).toMatchObject({ status: 'deferred', code: 'REQUEST_LIMIT_EXCEEDED' });
  expect(refused.errors).toEqual([expect.objectContaining({ code: 'REQUEST_LIMIT_EXCEEDED' })]);
  // It saw the 403's Sforce-Limit-Info: the next cycle is deferred without a call.
  const next = await w.runCycle(other);
  expect(next).toMatchObject({ status: 'deferred', code: 'API_BUDGET_DEFERRED', api_calls: 0 });
});

it('401: the session is re-granted and the call replayed; a permanent 401 trips the guard (CRM_AUTH_FAILED) until new credentials', async () => {
  const acc = seedAccount(w);
  seedContacts(w, [{ AccountId: acc, Email: 'a@acme.example' }]);
  const id = await w.createConnector({ objects: ['Account', 'Contact'] });
  await w.runCycle(id);
  w.emulator.control.revokeTokens();
  await w.later();
  const tokensBefore = w.emulator.control.tokensIssued();
  expect(await w.runCycle(id)).toMatchObject({ status: 'completed' });
  expect(w.emulator.control.tokensIssued()).toBe(tokensBefore + 1);

  w.emulator.control.setAuth({ rejectAllTokens: true });
  await w.later();
  const before = w.emulator.control.requests().length;
  const failed = await w.runCycle(id);
  expect(failed).toMatchObject({ status: 'failed', code: 'CRM_AUTH_FAILED' });
  // Bounded: a couple of refreshes, not jsforce's endless refresh-and-replay.
  expect(w.emulator.control.requests().length - before).toBeLessThan(10);
  const connector = await callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${id}`, undefined, 200);
  expect(connector).toMatchObject({ status: 'auth_failed', lastError: { code: 'CRM_AUTH_FAILED' } });
  expect((await w.tdb.db.selectFrom('sync_cycles').select('id').where('connector_id', '=', id).execute()).length).toBe(3);
  await expect(w.runCycle(id)).rejects.toThrow(/did not begin/);

  w.emulator.control.setAuth({ rejectAllTokens: false });
  await callJson(w.app, w.keys.admin, 'PATCH', `/v1/connectors/${id}`, { settings: { clientSecret: 'sync-test-app-secret' } }, 200);
  expect(await w.runCycle(id)).toMatchObject({ status: 'completed' });
});

it('keeps the client secret encrypted at rest and never returns it', async () => {
  const id = await w.createConnector();
  const row = await w.tdb.db.selectFrom('connectors').select(['secret', 'settings']).where('id', '=', id).executeTakeFirstOrThrow();
  expect(row.secret).toMatch(/^enc:v1:/);
  expect(JSON.stringify(row.settings)).not.toContain('sync-test-app-secret');
  const body = await callJson(w.app, w.keys.admin, 'GET', `/v1/connectors/${id}`, undefined, 200);
  expect(JSON.stringify(body)).not.toContain('sync-test-app-secret');
  expect(body.settings.hasClientSecret).toBe(true);
});
