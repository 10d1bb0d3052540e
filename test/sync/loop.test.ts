/**
 * The loop as Temporal runs it (worker on the dev server): one workflow per connector with the
 * ConnectorId search attribute, started, paused, resumed and stopped with the connector; a 503 on a
 * POST (which jsforce does not retry) is retried by Temporal and recorded on the cycle.
 */
import { crmSyncContract } from '../../workflows/crm-sync/contract';
import { call, callJson } from '../harness/api';
import { eventually } from '../harness/eventually';
import { contactOf, seedAccount, seedContacts, startSyncWorld, type SyncWorld } from './world';

jest.setTimeout(180_000);

let w: SyncWorld;
beforeAll(async () => {
  w = await startSyncWorld({ worker: true });
});
afterAll(async () => w?.close());

it('a 503 on a POST (jsforce does not retry it) is retried by Temporal: nothing lost, the error recorded on the cycle', async () => {
  const acc = seedAccount(w);
  const [c] = seedContacts(w, [{ AccountId: acc, FirstName: 'Ada', Email: 'ada@retry.example' }]) as [string];
  const id = await w.createConnector({ objects: ['Account', 'Contact'] });
  await w.firstCycle(id);
  w.emulator.control.edit(c, { FirstName: 'Retried' });
  await w.later();
  w.emulator.control.addFault({ method: 'POST', path: '/composite/sobjects/Contact', kind: 'status', status: 503, times: 1 });
  await w.syncNow(id);
  await eventually(async () => ((await contactOf(w, id, c)).first_name === 'Retried' ? true : undefined), 'the change to arrive', 60_000, 100);
  // The cycle that met the 503 completed, with the error noted.
  const hit = await eventually(async () => {
    const rows = await w.tdb.db.selectFrom('sync_cycles').selectAll().where('connector_id', '=', id).where('status', '=', 'completed').execute();
    return rows.find((r) => r.errors.length > 0);
  }, 'the cycle that met the 503', 30_000, 100);
  expect(hit.errors).toEqual([expect.objectContaining({ code: 'CRM_UNAVAILABLE', errorCode: 'SERVER_UNAVAILABLE', count: 1 })]);
  const retrieves = w.emulator.control.requests({ method: 'POST', path: '/composite/sobjects/Contact' }).map((r) => r.status);
  expect(retrieves.slice(-2)).toEqual([503, 200]);
});

it('one workflow per connector (ConnectorId), paused and resumed by signals, stopped when the connector is deleted', async () => {
  const id = await w.createConnector({ objects: ['Account'] });
  const handle = w.temporalClient.workflow.getHandle(crmSyncContract.id(id));
  await eventually(async () => ((await handle.query(crmSyncContract.queries.status)).cyclesRun >= 1 ? true : undefined), 'the first cycle', 30_000, 100);
  const found: string[] = [];
  await eventually(async () => {
    found.length = 0;
    for await (const wf of w.temporalClient.workflow.list({ query: `ConnectorId = '${id}'` })) found.push(wf.workflowId);
    return found.length > 0 ? true : undefined;
  }, 'visibility to list the loop by ConnectorId', 20_000, 200);
  expect(found).toEqual([crmSyncContract.id(id)]);

  await callJson(w.app, w.keys.admin, 'POST', `/v1/connectors/${id}/pause`, undefined, 202);
  await eventually(async () => ((await handle.query(crmSyncContract.queries.status)).state === 'paused' ? true : undefined), 'the loop to park', 20_000, 100);
  await callJson(w.app, w.keys.admin, 'POST', `/v1/connectors/${id}/sync-now`, undefined, 409);
  const before = (await handle.query(crmSyncContract.queries.status)).cyclesRun;
  await callJson(w.app, w.keys.admin, 'POST', `/v1/connectors/${id}/resume`, undefined, 202);
  await eventually(async () => ((await handle.query(crmSyncContract.queries.status)).cyclesRun > before ? true : undefined), 'a cycle after resume', 20_000, 100);

  await call(w.app, w.keys.operator, 'DELETE', `/v1/connectors/${id}`, undefined, 403);
  await call(w.app, w.keys.admin, 'DELETE', `/v1/connectors/${id}`, undefined, 204);
  await eventually(async () => ((await handle.describe()).status.name !== 'RUNNING' ? true : undefined), 'the loop to stop', 20_000, 100);
  await callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${id}`, undefined, 404);
});
