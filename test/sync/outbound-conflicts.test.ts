/**
 * The ping-pong guard: one field changed on both sides inside one cycle has one winner — the CRM's, by
 * the same per-field policy as inbound (CONFLICT_CRM_WINS) — whether the CRM change came through the
 * change feed or was made while the cycle ran (the push reads the record again first); a custom field
 * set to local_overrides keeps the local value and pushes it. Afterwards further cycles write nothing
 * in either direction: no endless update loop.
 */
import { callJson } from '../harness/api';
import { contactOf, seedAccount, seedContacts, startSyncWorld, type SyncWorld } from './world';

jest.setTimeout(120_000);

let w: SyncWorld;
let connectorId: string;
beforeAll(async () => {
  w = await startSyncWorld();
  connectorId = await w.createConnector({ outbound: true, objects: ['Account', 'Contact'], customFields: [{ object: 'Contact', field: 'Title', policy: 'local_overrides' }] });
});
afterAll(async () => w?.close());

const writesToCrm = () => w.emulator.control.requests({ method: 'PATCH', path: '/composite/sobjects' }).length + w.emulator.control.requests({ method: 'POST', path: '/composite/sobjects' }).filter((r) => !/\/composite\/sobjects\/[A-Za-z]+$/.test(r.path)).length;

async function linkedContact(email: string): Promise<{ crmId: string; localId: string }> {
  const acc = seedAccount(w);
  const [crmId] = seedContacts(w, [{ AccountId: acc, FirstName: 'Start', LastName: 'Person', Email: email, Title: 'Engineer' }]) as [string];
  await w.later();
  await w.runCycle(connectorId);
  const local = await contactOf(w, connectorId, crmId);
  expect(local).toMatchObject({ first_name: 'Start' });
  return { crmId, localId: local.id };
}

/** Three more cycles (each after the change feed's minute): nothing is written on either side. */
async function expectQuiet(crmId: string, localId: string, firstName: string): Promise<void> {
  const before = writesToCrm();
  for (let i = 0; i < 3; i++) {
    await w.later();
    const c = await w.runCycle(connectorId);
    expect(c.outbound_pushed).toBe(0);
  }
  expect(writesToCrm()).toBe(before);
  expect(w.emulator.control.record(crmId)).toMatchObject({ FirstName: firstName });
  expect((await w.tdb.db.selectFrom('contacts').select('first_name').where('id', '=', localId).executeTakeFirstOrThrow()).first_name).toBe(firstName);
}

it('a field changed on both sides before a cycle: the CRM wins, nothing is pushed back, and it stays quiet', async () => {
  const { crmId, localId } = await linkedContact('both@pingpong.example');
  w.emulator.control.edit(crmId, { FirstName: 'FromCrm' });
  await callJson(w.app, w.keys.admin, 'PATCH', `/v1/contacts/${localId}`, { firstName: 'FromLocal', lastName: 'Renamed' }, 200);
  await w.later();
  const cycle = await w.runCycle(connectorId);
  expect(cycle.codes).toMatchObject({ CONFLICT_CRM_WINS: 1 });
  // The other field, changed only locally, was pushed.
  expect(w.emulator.control.record(crmId)).toMatchObject({ FirstName: 'FromCrm', LastName: 'Renamed' });
  await expectQuiet(crmId, localId, 'FromCrm');
});

it('a CRM change made while the cycle runs (not in its change feed yet) still wins: the push reads the record again first', async () => {
  const { crmId, localId } = await linkedContact('during@pingpong.example');
  await callJson(w.app, w.keys.admin, 'PATCH', `/v1/contacts/${localId}`, { firstName: 'FromLocal' }, 200);
  // A few seconds on the CRM's clock: inside the minute the change feed has not served yet.
  w.emulator.control.advanceClock(5_000);
  w.emulator.control.edit(crmId, { FirstName: 'FromCrm' });
  const cycle = await w.runCycle(connectorId);
  expect(cycle.outbound_pushed).toBe(0);
  expect(cycle.codes).toMatchObject({ CONFLICT_CRM_WINS: 1 });
  expect(w.emulator.control.record(crmId)).toMatchObject({ FirstName: 'FromCrm' });
  await expectQuiet(crmId, localId, 'FromCrm');
});

it('a local_overrides custom field changed on both sides keeps the local value and pushes it, once', async () => {
  const { crmId, localId } = await linkedContact('custom@pingpong.example');
  w.emulator.control.edit(crmId, { Title: 'CRM title' });
  await w.tdb.db.updateTable('contacts').set({ custom_fields: JSON.stringify({ Title: 'Local title' }) }).where('id', '=', localId).execute();
  await w.later();
  const cycle = await w.runCycle(connectorId);
  expect(cycle.codes).toMatchObject({ CONFLICT_LOCAL_OVERRIDE: 1 });
  expect(cycle.outbound_pushed).toBe(1);
  expect(w.emulator.control.record(crmId)).toMatchObject({ Title: 'Local title' });
  await expectQuiet(crmId, localId, 'Start');
  const local = await w.tdb.db.selectFrom('contacts').select('custom_fields').where('id', '=', localId).executeTakeFirstOrThrow();
  expect(local.custom_fields).toEqual({ Title: 'Local title' });
});
