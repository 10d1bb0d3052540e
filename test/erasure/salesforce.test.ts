/**
 * Erasure through CRM sync: a contact that sync created from a Salesforce Contact is erased → its
 * Contact is deleted in Salesforce (the emulator, through unmodified jsforce), sync forgets what it read
 * (snapshot, versions, email) and keeps only the link, stopped with ERASED, so the next cycle does not
 * re-create the person; a Salesforce outage leaves the system `waiting`, never done.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createSyncActivities } from '../../activities/sync';
import { clearSalesforceTokenCache } from '../../integrations/salesforce';
import { callJson } from '../harness/api';
import { eventually } from '../harness/eventually';
import { eraseSubject } from '../../services/erasure/erase-subject';
import { startSalesforceEmulator, type SalesforceEmulator } from '../emulators/salesforce';
import { awaitErasure, createErasureWorld, requestErasure, type ErasureWorld } from './world';

jest.setTimeout(180_000);
const CREDENTIALS = { clientId: 'erasure-sf-app', clientSecret: 'erasure-sf-secret' };

let world: ErasureWorld;
let sf: SalesforceEmulator;
let connectorId: string;
let sync: ReturnType<typeof createSyncActivities>;

/** Minutes pass on the CRM's clock; the skew the connector learnt from its Date headers moves with it (as test/sync/world.ts later()). */
async function later(minutes = 2): Promise<void> {
  sf.control.advanceClock(minutes * 60_000);
  await world.ctx.tdb.db.updateTable('connectors').set({ server_clock_skew_ms: sql`server_clock_skew_ms + ${minutes * 60_000}` }).execute();
}

async function cycle(): Promise<void> {
  const ref = { connectorId, cycleId: randomUUID() };
  const begin = await sync.syncBeginCycle(ref);
  if (begin.action !== 'run') throw new Error(`cycle did not run: ${JSON.stringify(begin)}`);
  const read = await sync.syncReadChanges(ref);
  for (const object of read.fullLoads) while ((await sync.syncLoadSnapshot({ ...ref, object })).state === 'more');
  while ((await sync.syncApplyBatches(ref)).state === 'more');
  await sync.syncEndCycle({ ...ref, status: 'completed' });
}

beforeAll(async () => {
  clearSalesforceTokenCache();
  world = await createErasureWorld({ name: 'salesforce' });
  sf = await startSalesforceEmulator({ ...CREDENTIALS, now: '2026-03-02T10:00:00.000Z', settings: { bulkPollsUntilComplete: 1 } });
  sync = createSyncActivities({ db: world.ctx.tdb.db, config: world.ctx.config, temporal: world.temporal.client, crmClient: { sleep: () => Promise.resolve() } });
  const body = await callJson(world.ctx.app, world.ctx.keys.admin, 'POST', '/v1/connectors', { type: 'salesforce', name: 'Erasure org', settings: { loginUrl: sf.url, ...CREDENTIALS, cadence: 'PT1H' } }, 201);
  connectorId = body.id;
  // The connector's loop runs a first cycle on its own; the tests run theirs by hand, after it.
  await eventually(async () => {
    const cycles = await world.ctx.tdb.db.selectFrom('sync_cycles').select('status').where('connector_id', '=', connectorId).execute();
    return cycles.length > 0 && cycles.every((c) => c.status !== 'running') ? true : undefined;
  }, 'the first cycle of the erasure connector to end', 60_000, 100);
});
afterAll(async () => {
  await world?.temporal.client.workflow.getHandle(`crm-sync-${connectorId}`).terminate('test finished').catch(() => undefined);
  await sf?.stop();
  await world?.close();
});

const linkOf = (externalId: string) => world.ctx.tdb.db.selectFrom('sync_records').selectAll().where('connector_id', '=', connectorId).where('external_id', '=', externalId).executeTakeFirstOrThrow();

it('deletes the linked Contact in Salesforce, forgets the snapshot, and the next cycle does not re-create the person', async () => {
  const [accountId] = sf.control.seed('Account', [{ Name: 'Erasure Corp', Type: 'Customer', Website: 'https://erasure-corp.example' }]);
  const [sfContact] = sf.control.seed('Contact', [{ AccountId: accountId, FirstName: 'Greta', LastName: 'Sfperson', Email: 'greta.sf@erasure-corp.example' }]);
  await later();
  await cycle();
  const before = await linkOf(sfContact!);
  expect(before).toMatchObject({ status: 'synced', local_kind: 'contact' });
  const contactId = before.local_id!;

  const r = await requestErasure(world, { contactId });
  const done = await awaitErasure(world, r.id, 'completed', 120_000);
  expect(done.systems.find((s: { system: string }) => s.system === 'salesforce')).toMatchObject({ status: 'done', detail: expect.stringContaining('1 Salesforce Contact/Lead record(s) deleted') });
  expect(done.steps.find((s: { name: string }) => s.name === 'locate').detail).toMatch(/1 CRM sync link/);
  expect(sf.control.record(sfContact!)).toMatchObject({ IsDeleted: true });

  const after = await linkOf(sfContact!);
  expect(after).toMatchObject({ status: 'stopped', code: 'ERASED', snapshot: null, email_normalized: null, applied: {} });
  const versions = await world.ctx.tdb.db.selectFrom('sync_record_versions').select('id').where('external_id', '=', sfContact!).execute();
  expect(versions).toEqual([]);

  // The next cycle reads the delete erasure made from the change feed: the link stays ERASED, nothing stored.
  await later();
  await cycle();
  expect(await linkOf(sfContact!)).toMatchObject({ status: 'stopped', code: 'ERASED', snapshot: null, email_normalized: null });

  // Undeleted in Salesforce (the recycle bin): the next cycle still does not bring the person back.
  sf.control.undelete([sfContact!]);
  await later();
  await cycle();
  expect(await linkOf(sfContact!)).toMatchObject({ status: 'stopped', code: 'ERASED', snapshot: null, email_normalized: null });
  const recreated = await world.ctx.tdb.db.selectFrom('contacts').select('id').where('email_normalized', '=', 'greta.sf@erasure-corp.example').execute();
  expect(recreated).toEqual([]);
});

it('a cycle that runs between erase_crm and propagate finds the link ERASED and does not create the person again', async () => {
  const [accountId] = sf.control.seed('Account', [{ Name: 'Window Corp', Type: 'Customer', Website: 'https://window-corp.example' }]);
  const [sfContact] = sf.control.seed('Contact', [{ AccountId: accountId, FirstName: 'Wanda', LastName: 'Window', Email: 'wanda@window-corp.example' }]);
  await later();
  await cycle();
  const contactId = (await linkOf(sfContact!)).local_id!;

  // erase_crm has run; propagate has not yet deleted the Contact in Salesforce, which edits it meanwhile.
  await eraseSubject(world.ctx.tdb.db, { contactIds: [contactId], addresses: ['wanda@window-corp.example'], stubIds: [] });
  sf.control.edit(sfContact!, { Title: 'Edited during erasure' });
  await later();
  await cycle();

  expect(await linkOf(sfContact!)).toMatchObject({ status: 'stopped', code: 'ERASED', snapshot: null, email_normalized: null, local_id: contactId });
  const recreated = await world.ctx.tdb.db.selectFrom('contacts').select('id').where('email_normalized', '=', 'wanda@window-corp.example').execute();
  expect(recreated).toEqual([]);
  expect(sf.control.record(sfContact!)).toMatchObject({ IsDeleted: false });
});

it('Salesforce unavailable: propagate waits with SALESFORCE_UNREACHABLE, then completes', async () => {
  const [accountId] = sf.control.seed('Account', [{ Name: 'Outage Corp', Type: 'Customer', Website: 'https://outage-corp.example' }]);
  const [sfContact] = sf.control.seed('Contact', [{ AccountId: accountId, FirstName: 'Otto', LastName: 'Outage', Email: 'otto@outage-corp.example' }]);
  await later();
  await cycle();
  const contactId = (await linkOf(sfContact!)).local_id!;

  sf.control.addFault({ kind: 'status', method: 'DELETE', path: '/composite/sobjects', status: 503, errorCode: 'SERVER_UNAVAILABLE', times: 1000 });
  const r = await requestErasure(world, { contactId });
  const waiting = await awaitErasure(world, r.id, 'waiting', 120_000);
  expect(waiting.systems.find((s: { system: string }) => s.system === 'salesforce')).toMatchObject({ status: 'waiting', code: 'SALESFORCE_UNREACHABLE' });
  expect(sf.control.record(sfContact!)).toMatchObject({ IsDeleted: false });

  sf.control.clearFaults();
  const done = await awaitErasure(world, r.id, 'completed', 120_000);
  expect(done.systems.find((s: { system: string }) => s.system === 'salesforce')).toMatchObject({ status: 'done' });
  expect(sf.control.record(sfContact!)).toMatchObject({ IsDeleted: true });
});
