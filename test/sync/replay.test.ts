/**
 * `POST /v1/connectors/:id/replay { from, to }`: the CRM records changed inside the window (by their
 * stored snapshots and earlier versions) are decided and applied again from the stored snapshots, in a
 * cycle of kind `replay` that calls the CRM not at all; a record changed only outside the window is left
 * out; a later CRM change is not rolled back (the latest snapshot is applied); a window reaching past the
 * snapshot retention, or into the future, is refused. And `GET …/records/:externalId/history` lists a
 * record's snapshots (changed field names, never values), decisions and pushes, oldest first.
 */
import { callJson } from '../harness/api';
import { contactOf, seedAccount, seedContacts, startSyncWorld, T0, type Json, type SyncWorld } from './world';

jest.setTimeout(120_000);

let w: SyncWorld;
beforeAll(async () => {
  // The emulator's clock starts at T0, months before the machine's: a retention that reaches it.
  w = await startSyncWorld({ overrides: { CRM_SYNC_SNAPSHOT_RETENTION: '365' } });
});
afterAll(async () => w?.close());

const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

it('re-applies the records changed inside the window from stored snapshots, as a replay cycle without CRM calls', async () => {
  const acc = seedAccount(w);
  const [inside, outside] = seedContacts(w, [
    { AccountId: acc, FirstName: 'In', Email: 'inside@replay.example' },
    { AccountId: acc, FirstName: 'Out', Email: 'outside@replay.example' },
  ]) as [string, string];
  const connectorId = await w.createConnector({ objects: ['Account', 'Contact'] });
  await w.runCycle(connectorId);

  // Minutes 10 to 20 (CRM clock): `inside` changes; later (minute 30) it changes again, and so does `outside`.
  await w.later(10);
  w.emulator.control.edit(inside, { FirstName: 'InWindow' });
  await w.later(2);
  await w.runCycle(connectorId);
  await w.later(18);
  w.emulator.control.edit(inside, { FirstName: 'Latest' });
  w.emulator.control.edit(outside, { FirstName: 'OutLater' });
  await w.later(2);
  await w.runCycle(connectorId);
  expect(await contactOf(w, connectorId, inside)).toMatchObject({ first_name: 'Latest' });

  const requestsBefore = w.emulator.control.requests({}).length;
  const replay = await callJson(w.app, w.keys.admin, 'POST', `/v1/connectors/${connectorId}/replay`, { from: at(10), to: at(20) }, 202);
  expect(replay).toMatchObject({ status: 'queued', from: at(10), to: at(20) });
  const cycle = await w.runCycle(connectorId);
  expect(cycle).toMatchObject({ kind: 'replay', status: 'completed' });
  expect(w.emulator.control.requests({}).length).toBe(requestsBefore);
  const done = await callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${connectorId}/replays/${replay.id}`, undefined, 200);
  expect(done).toMatchObject({ status: 'completed', cycleId: cycle.id, records: 1 });
  expect(cycle.records_read).toBe(1);
  // The latest snapshot is what was applied: the later CRM change stays.
  expect(await contactOf(w, connectorId, inside)).toMatchObject({ first_name: 'Latest' });
  expect(await contactOf(w, connectorId, outside)).toMatchObject({ first_name: 'OutLater' });
});

it('refuses a window past the snapshot retention, in the future, or the wrong way round', async () => {
  const connectorId = await w.createConnector({ objects: ['Account'] });
  const now = Date.now();
  const day = 86_400_000;
  const refused = async (from: number, to: number, path: string) => {
    const body = await callJson(w.app, w.keys.admin, 'POST', `/v1/connectors/${connectorId}/replay`, { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, 400);
    expect(JSON.stringify(body)).toContain(path);
  };
  await refused(now - 400 * day, now - 399 * day, 'body.from');
  await refused(now - day, now + day, 'body.to');
  await refused(now - day, now - 2 * day, 'body.to');
  await callJson(w.app, w.keys.operator, 'POST', `/v1/connectors/${connectorId}/replay`, { from: new Date(now - day).toISOString(), to: new Date(now).toISOString() }, 403);
});

it("a record's history: its snapshots with the changed field names (no values), decisions and what was pushed, oldest first", async () => {
  const acc = seedAccount(w);
  const [crmId] = seedContacts(w, [{ AccountId: acc, FirstName: 'Hedy', LastName: 'Lamarr', Email: 'hedy@history.example' }]) as [string];
  const connectorId = await w.createConnector({ objects: ['Account', 'Contact'], outbound: true });
  await w.runCycle(connectorId);
  w.emulator.control.edit(crmId, { FirstName: 'Hedwig' });
  await w.later();
  await w.runCycle(connectorId);
  const local = await contactOf(w, connectorId, crmId);
  await callJson(w.app, w.keys.admin, 'PATCH', `/v1/contacts/${local.id}`, { lastName: 'Kiesler' }, 200);
  await w.runCycle(connectorId);

  const history = await callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${connectorId}/records/${crmId}/history`, undefined, 200);
  expect(history).toMatchObject({ connectorId, object: 'Contact', externalId: crmId });
  const entries = history.entries as Json[];
  const snapshots = entries.filter((e) => e.kind === 'snapshot');
  expect(snapshots.length).toBeGreaterThanOrEqual(2);
  expect(snapshots[0]).toMatchObject({ current: false, status: 'synced', decision: { outcome: 'create', direction: 'inbound' } });
  expect(snapshots.some((s) => !s.current && s.snapshot.changedFields.includes('FirstName'))).toBe(true);
  expect(snapshots[snapshots.length - 1]).toMatchObject({ current: true, status: 'synced' });
  const pushes = entries.filter((e) => e.kind === 'push');
  expect(pushes).toEqual([expect.objectContaining({ outcome: 'updated', fields: ['lastName'], errorCode: null })]);
  expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort());
  // Operators read this: field names only, never the values.
  expect(JSON.stringify(history)).not.toMatch(/Hedy|Hedwig|Lamarr|Kiesler|hedy@/);

  await callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${connectorId}/records/001000000000000AAA/history`, undefined, 404);
});
