/**
 * `POST /v1/connectors/:id/dry-run`: changing the filter's values is reported (records that would stop
 * syncing, by code, with samples) without writing anything; applying the same change then does exactly
 * what the report said — the same records change, to the same status and code, and nothing else.
 */
import { callJson } from '../harness/api';
import { seedAccount, seedContacts, startSyncWorld, type Json, type SyncWorld } from './world';

jest.setTimeout(120_000);

let w: SyncWorld;
beforeAll(async () => {
  w = await startSyncWorld();
});
afterAll(async () => w?.close());

type State = Map<string, { status: string; code: string | null; updatedAt: string }>;

async function states(connectorId: string): Promise<State> {
  const rows = await w.tdb.db.selectFrom('sync_records').select(['external_id', 'status', 'code', 'updated_at']).where('connector_id', '=', connectorId).execute();
  return new Map(rows.map((r) => [r.external_id, { status: r.status, code: r.code, updatedAt: r.updated_at.toISOString() }]));
}

it('a dry run of changing the filter values reports the records that would stop syncing; applying it matches the report', async () => {
  const customer = seedAccount(w, { Type: 'Customer' });
  const prospect = seedAccount(w, { Type: 'Prospect' });
  const kept = seedContacts(w, [1, 2, 3].map((i) => ({ AccountId: customer, Email: `kept${i}@dry.example` })));
  const leaving = seedContacts(w, [1, 2].map((i) => ({ AccountId: prospect, Email: `leaving${i}@dry.example` })));
  const connectorId = await w.createConnector({ objects: ['Account', 'Contact'], filter: { object: 'Account', field: 'Type', values: ['Customer', 'Prospect'] } });
  await w.runCycle(connectorId);
  const before = await states(connectorId);
  expect([...before.values()].every((s) => s.status === 'synced')).toBe(true);
  const cyclesBefore = await w.tdb.db.selectFrom('sync_cycles').select('id').where('connector_id', '=', connectorId).execute();
  const change = { filter: { object: 'Account', field: 'Type', values: ['Customer'] } };

  const report = await callJson(w.app, w.keys.admin, 'POST', `/v1/connectors/${connectorId}/dry-run`, { settings: change }, 200);
  expect(report).toMatchObject({ settingsChanged: ['filter'], evaluated: before.size, unchanged: before.size - 3 });
  expect(report.changes.stopSyncing).toMatchObject({ count: 3, byCode: { FILTERED_OUT: 3 } });
  for (const other of ['create', 'update', 'resume', 'freeze', 'delete', 'skip']) expect(report.changes[other].count).toBe(0);
  const samples = report.changes.stopSyncing.samples as Json[];
  expect(samples.map((s) => s.externalId).sort()).toEqual([prospect, ...leaving].sort());
  expect(samples.every((s) => s.from.status === 'synced' && s.to.status === 'frozen' && s.to.code === 'FILTERED_OUT')).toBe(true);

  // Nothing was written: same states, same settings, no cycle.
  expect(await states(connectorId)).toEqual(before);
  expect((await callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${connectorId}`, undefined, 200)).settings.filter.values).toEqual(['Customer', 'Prospect']);
  expect(await w.tdb.db.selectFrom('sync_cycles').select('id').where('connector_id', '=', connectorId).execute()).toEqual(cyclesBefore);

  // Applying it: exactly the reported records change, to the reported status and code.
  await callJson(w.app, w.keys.admin, 'PATCH', `/v1/connectors/${connectorId}`, { settings: change }, 200);
  await w.runCycle(connectorId);
  const after = await states(connectorId);
  const changed = [...after].filter(([id, s]) => s.status !== before.get(id)!.status || s.code !== before.get(id)!.code);
  expect(changed.map(([id, s]) => ({ externalId: id, status: s.status, code: s.code })).sort((a, b) => a.externalId.localeCompare(b.externalId))).toEqual(
    samples.map((s) => ({ externalId: s.externalId, status: s.to.status, code: s.to.code })).sort((a, b) => a.externalId.localeCompare(b.externalId)),
  );
  for (const id of [customer, ...kept]) expect(after.get(id)).toMatchObject({ status: 'synced', code: null });
});

it('a dry run of turning on deleteInactiveContacts counts the deletes; applying it deletes those local contacts', async () => {
  const acc = seedAccount(w);
  const [inactive, active] = seedContacts(w, [
    { AccountId: acc, Email: 'inactive@dry.example', Active__c: true },
    { AccountId: acc, Email: 'active@dry.example', Active__c: true },
  ]) as [string, string];
  const connectorId = await w.createConnector({ objects: ['Account', 'Contact'] });
  await w.runCycle(connectorId);
  // It goes inactive in the CRM: without the setting it is frozen locally (CONTACT_INACTIVE).
  w.emulator.control.edit(inactive, { Active__c: false });
  await w.later();
  await w.runCycle(connectorId);
  const before = await states(connectorId);
  expect(before.get(inactive)!.status).not.toBe('deleted_local');

  const report = await callJson(w.app, w.keys.admin, 'POST', `/v1/connectors/${connectorId}/dry-run`, { settings: { deleteInactiveContacts: true } }, 200);
  const deletes = report.changes.delete;
  expect(deletes).toMatchObject({ count: 1, byCode: { DELETED_INACTIVE: 1 } });
  expect(deletes.samples.map((s: Json) => s.externalId)).toEqual([inactive]);
  expect(await states(connectorId)).toEqual(before);

  await callJson(w.app, w.keys.admin, 'PATCH', `/v1/connectors/${connectorId}`, { settings: { deleteInactiveContacts: true } }, 200);
  await w.runCycle(connectorId);
  const after = await states(connectorId);
  const deleted = [...after].filter(([id, s]) => s.status === 'deleted_local' && before.get(id)!.status !== 'deleted_local').map(([id]) => id);
  expect(deleted).toEqual(deletes.samples.map((s: Json) => s.externalId));
  expect(deleted.length).toBe(deletes.count);
  expect(after.get(active)!.status).toBe('synced');
});
