/**
 * Pushing over 2,000 rows goes through one Bulk API 2.0 ingest job (not 13 Collections calls): rows the
 * CRM refuses (a validation rule) are read back from failedResults with Salesforce's error code and
 * retried next cycle; when a job fails outright its rows come back from unprocessedrecords and are
 * retried next cycle too, until they go through.
 */
import { sql } from 'kysely';
import { callJson } from '../harness/api';
import { seedAccount, startSyncWorld, type Json, type SyncWorld } from './world';

jest.setTimeout(180_000);

let w: SyncWorld;
beforeAll(async () => {
  w = await startSyncWorld();
});
afterAll(async () => w?.close());

const CONTACTS = 2_500;
const REFUSED = 10;

it('creates 2,500 contacts with one ingest job, retries refused and unprocessed rows with their codes', async () => {
  const accountId = seedAccount(w, { Name: 'Bulk Co' });
  const connectorId = await w.createConnector({ objects: ['Account', 'Contact'], recordCap: 10_000 });
  await w.runCycle(connectorId);
  const company = await w.tdb.db.selectFrom('sync_records').select('local_id').where('connector_id', '=', connectorId).where('external_id', '=', accountId).executeTakeFirstOrThrow();
  const rep = await w.tdb.db.selectFrom('users').select('id').where('role', '=', 'rep').executeTakeFirstOrThrow();
  await sql`
    insert into contacts (email, email_normalized, first_name, last_name, company_id, owner_id)
    select 'bulk' || i || '@bulk.example', 'bulk' || i || '@bulk.example', 'First' || i, case when i <= ${REFUSED} then 'Refused' else 'Person' || i end, ${company.local_id}::uuid, ${rep.id}::uuid
    from generate_series(1, ${CONTACTS}) as i`.execute(w.tdb.db);
  w.emulator.control.setValidationRules([{ object: 'Contact', field: 'LastName', equals: 'Refused', message: 'refused by a validation rule' }]);
  w.emulator.control.clearRequests();

  await callJson(w.app, w.keys.admin, 'PATCH', `/v1/connectors/${connectorId}`, { settings: { outbound: true } }, 200);
  const first = await w.runCycle(connectorId);
  expect(first).toMatchObject({ outbound_pushed: CONTACTS - REFUSED, outbound_failed: REFUSED });
  expect(w.emulator.control.requests({ method: 'POST', path: '/jobs/ingest' }).filter((r) => /\/jobs\/ingest$/.test(r.path))).toHaveLength(1);
  expect(w.emulator.control.requests({ method: 'PATCH', path: '/composite/sobjects' })).toHaveLength(0);
  expect(w.emulator.control.records('Contact').filter((r) => r.CRM_Workflows_Id__c)).toHaveLength(CONTACTS - REFUSED);
  expect(first.errors).toEqual([expect.objectContaining({ code: 'CRM_WRITE_FAILED', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', count: 1 })]);
  const refused = await callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${connectorId}/outbound?code=CRM_WRITE_FAILED`, undefined, 200);
  expect(refused.items).toHaveLength(REFUSED);
  expect(refused.items.every((e: Json) => e.state === 'queued' && e.errorCode === 'FIELD_CUSTOM_VALIDATION_EXCEPTION' && e.attempts === 1)).toBe(true);

  // Next cycle: the 10 are retried (Collections: 10 rows), refused again, with their code.
  const second = await w.runCycle(connectorId);
  expect(second).toMatchObject({ outbound_pushed: 0, outbound_failed: REFUSED });
  const again = await w.tdb.db.selectFrom('sync_outbound').select(['attempts', 'error_code']).where('connector_id', '=', connectorId).where('code', '=', 'CRM_WRITE_FAILED').execute();
  expect(again.map((e) => e.attempts)).toEqual(Array(REFUSED).fill(2));

  // The rule goes (the 10 go through next cycle, apart from the ingest job); 2,100 contacts change
  // locally and the next ingest job fails outright: every row of it unprocessed.
  w.emulator.control.setValidationRules([]);
  await sql`update contacts set first_name = 'Changed' || last_name where last_name like 'Person%' and split_part(last_name, 'Person', 2)::int <= 2110`.execute(w.tdb.db);
  w.emulator.control.settings({ failNextIngestJob: 'InvalidBatch : something went wrong' });
  const third = await w.runCycle(connectorId);
  expect(third).toMatchObject({ outbound_failed: 2_100, outbound_pushed: REFUSED });
  const unprocessed = await w.tdb.db.selectFrom('sync_outbound').select(sql<string>`count(*)`.as('n')).where('connector_id', '=', connectorId).where('error_code', '=', 'BULK_ROW_UNPROCESSED').executeTakeFirstOrThrow();
  expect(Number(unprocessed.n)).toBe(2_100);

  const fourth = await w.runCycle(connectorId);
  expect(fourth).toMatchObject({ outbound_failed: 0, outbound_pushed: 2_100 });
  const changed = w.emulator.control.records('Contact').filter((r) => String(r.FirstName).startsWith('ChangedPerson'));
  expect(changed).toHaveLength(2_100);
  expect(w.emulator.control.records('Contact').filter((r) => r.CRM_Workflows_Id__c)).toHaveLength(CONTACTS);
  expect(await w.tdb.db.selectFrom('sync_outbound').select('local_id').where('connector_id', '=', connectorId).execute()).toEqual([]);
});
