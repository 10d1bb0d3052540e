/**
 * Issue 10's acceptance, end to end on the real loop (worker, Temporal, emulator, API): an Account and
 * three Contacts (one inactive, two sharing an email) → the account and the valid contact arrive, the
 * others say CONTACT_INACTIVE / DUPLICATE_EMAIL; the account's Type leaves the filter → FILTERED_OUT;
 * a merge in the CRM → the loser says CRM_MERGED with the survivor; health shows the calls used.
 */
import { callJson } from '../harness/api';
import { contactOf, seedAccount, seedContacts, startSyncWorld, type Json, type SyncWorld } from './world';

jest.setTimeout(180_000);

let w: SyncWorld;
beforeAll(async () => {
  w = await startSyncWorld({ worker: true });
});
afterAll(async () => w?.close());

it('syncs valid records, explains the rest, follows filter changes and merges, and reports health', async () => {
  const accountId = seedAccount(w, { Name: 'Acme', Type: 'Customer', Website: 'https://acme.example' });
  const [valid, inactive, dupA, dupB] = seedContacts(w, [
    { AccountId: accountId, FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@acme.example' },
    { AccountId: accountId, FirstName: 'Ina', LastName: 'Active', Email: 'ina@acme.example', Active__c: false },
    { AccountId: accountId, FirstName: 'Dup', LastName: 'One', Email: 'shared@acme.example' },
    { AccountId: accountId, FirstName: 'Dup', LastName: 'Two', Email: 'shared@acme.example' },
  ]) as [string, string, string, string];

  const connectorId = await w.createConnector({ filter: { object: 'Account', field: 'Type', values: ['Customer', 'Prospect'] } });
  const first = await w.firstCycle(connectorId);
  expect(first).toMatchObject({ kind: 'initial', status: 'completed' });

  const account = await w.record(connectorId, accountId);
  expect(account).toMatchObject({ status: 'synced', code: null, local: { kind: 'company' } });
  const company = await callJson(w.app, w.keys.admin, 'GET', `/v1/companies/${account.local.id}`, undefined, 200);
  expect(company).toMatchObject({ name: 'Acme', domains: ['acme.example'] });

  expect(await w.record(connectorId, valid)).toMatchObject({ status: 'synced', local: { kind: 'contact' } });
  const ada = await contactOf(w, connectorId, valid);
  expect(ada).toMatchObject({ email: 'ada@acme.example', first_name: 'Ada', last_name: 'Lovelace', company_id: account.local.id, consent: 'unknown', status: 'active' });
  expect(await w.record(connectorId, inactive)).toMatchObject({ status: 'skipped', code: 'CONTACT_INACTIVE', local: null });
  for (const id of [dupA, dupB]) expect(await w.record(connectorId, id)).toMatchObject({ status: 'skipped', code: 'DUPLICATE_EMAIL', local: null });
  const why = await w.record(connectorId, inactive);
  expect(why.decision.checks.find((c: Json) => c.rule === 'contact_active')).toMatchObject({ pass: false, code: 'CONTACT_INACTIVE' });
  expect(why.decision.checks.find((c: Json) => c.rule === 'filter')).toMatchObject({ pass: true });
  expect(why.decision.cycleId).toBe(first.id);

  // The account leaves the filter's values: it and its contacts keep their last data and stop updating.
  w.emulator.control.edit(accountId, { Type: 'Partner', Name: 'Acme Renamed' });
  w.emulator.control.edit(valid, { FirstName: 'Augusta' });
  await w.later();
  await w.syncNow(connectorId);
  expect(await w.record(connectorId, accountId)).toMatchObject({ status: 'frozen', code: 'FILTERED_OUT' });
  expect((await callJson(w.app, w.keys.admin, 'GET', `/v1/companies/${account.local.id}`, undefined, 200)).name).toBe('Acme');
  expect(await w.record(connectorId, valid)).toMatchObject({ status: 'frozen', code: 'FILTERED_OUT' });
  expect((await contactOf(w, connectorId, valid)).first_name).toBe('Ada');

  // Back in the set; then a merge in the CRM: the loser stops with the survivor's id, the survivor updates.
  w.emulator.control.edit(accountId, { Type: 'Prospect' });
  await w.later();
  await w.syncNow(connectorId);
  expect(await w.record(connectorId, valid)).toMatchObject({ status: 'synced' });
  expect((await contactOf(w, connectorId, valid)).first_name).toBe('Augusta');
  const [other] = seedContacts(w, [{ AccountId: accountId, FirstName: 'Bea', LastName: 'Second', Email: 'bea@acme.example' }]) as [string];
  await w.later();
  await w.syncNow(connectorId);
  expect(await w.record(connectorId, other)).toMatchObject({ status: 'synced' });
  w.emulator.control.merge('Contact', valid, [other]);
  await w.later();
  await w.syncNow(connectorId);
  const loser = await w.record(connectorId, other);
  expect(loser).toMatchObject({ status: 'stopped', code: 'CRM_MERGED', masterRecordId: valid });

  const health = await callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${connectorId}/health`, undefined, 200);
  expect(health.apiCalls.last24h).toBeGreaterThan(5);
  expect(health.apiCalls.org).toMatchObject({ limit: 100_000 });
  expect(health.apiCalls.allowance).toBe(50_000);
  expect(health.lastSuccessfulCycle).not.toBeNull();
  expect(health.recordsByCode.map((c: Json) => c.code)).toEqual(expect.arrayContaining(['CONTACT_INACTIVE', 'DUPLICATE_EMAIL', 'CRM_MERGED']));
  expect(health.cursors.map((c: Json) => c.object)).toEqual(['Account', 'Contact', 'Lead']);

  const cycles = await callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${connectorId}/cycles`, undefined, 200);
  expect(cycles.items.length).toBeGreaterThanOrEqual(5);
  expect(cycles.items[cycles.items.length - 1]).toMatchObject({ kind: 'initial', status: 'completed' });
  expect(cycles.items.every((c: Json) => c.apiCalls > 0)).toBe(true);

  const sync = await callJson(w.app, w.keys.rep, 'GET', `/v1/contacts/${ada.id}/sync`, undefined, 200);
  expect(sync.links).toEqual([expect.objectContaining({ externalId: valid, status: 'synced' })]);
  expect(sync.links[0].fields).toEqual(expect.arrayContaining([{ field: 'firstName', lastWrittenBy: 'crm' }]));
});
