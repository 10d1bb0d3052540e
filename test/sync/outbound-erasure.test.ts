/**
 * GDPR erasure and the outbound queue: erasing a subject removes its queued entries (its contact's and
 * its email activity's), and a subject under erasure whose contact stays as a stub (retained financial
 * references) is never queued again when the stub changes, and never pushed.
 */
import { sql } from 'kysely';
import { initialSteps, initialSystems } from '../../domain/erasure/vocabulary';
import { erasureHash } from '../../domain/privacy/erasure-hash';
import { eraseSubject } from '../../services/erasure/erase-subject';
import { callJson } from '../harness/api';
import { seedAccount, startSyncWorld, type SyncWorld } from './world';

jest.setTimeout(120_000);

let w: SyncWorld;
let connectorId: string;
let companyId: string;
beforeAll(async () => {
  w = await startSyncWorld();
  const accountId = seedAccount(w, { Name: 'Erasure Push Co' });
  connectorId = await w.createConnector({ outbound: true, objects: ['Account', 'Contact'] });
  await w.runCycle(connectorId);
  companyId = (await w.tdb.db.selectFrom('sync_records').select('local_id').where('connector_id', '=', connectorId).where('external_id', '=', accountId).executeTakeFirstOrThrow()).local_id!;
});
afterAll(async () => w?.close());

const entriesOf = (contactId: string) => w.tdb.db.selectFrom('sync_outbound').select(['local_kind', 'state', 'code']).where('connector_id', '=', connectorId).where('contact_id', '=', contactId).execute();
const inCrm = (email: string) => w.emulator.control.records('Contact').filter((r) => String(r.Email).toLowerCase() === email);

it("erasure removes the subject's queued entries: its contact and its email activity", async () => {
  // Parked (no linked company) with an activity waiting behind it.
  const c = await callJson(w.app, w.keys.rep, 'POST', '/v1/contacts', { email: 'parked@erase-push.example', lastName: 'Parked' }, 201);
  await sql`insert into activities (contact_id, type, data, actor) values (${c.id}::uuid, 'email_sent', '{}', 'test')`.execute(w.tdb.db);
  await w.runCycle(connectorId);
  expect((await entriesOf(c.id)).map((e) => e.local_kind).sort()).toEqual(['activity', 'contact']);

  await eraseSubject(w.tdb.db, { contactIds: [c.id], addresses: ['parked@erase-push.example'], stubIds: [] });
  expect(await entriesOf(c.id)).toEqual([]);
  const cycle = await w.runCycle(connectorId);
  expect(cycle.outbound_pushed).toBe(0);
  expect(inCrm('parked@erase-push.example')).toEqual([]);
});

it('a subject under erasure kept as a stub is not queued again, and an entry left over is never pushed', async () => {
  const c = await callJson(w.app, w.keys.rep, 'POST', '/v1/contacts', { email: 'stub@erase-push.example', lastName: 'Stub', companyId }, 201);
  expect((await entriesOf(c.id)).map((e) => e.local_kind)).toEqual(['contact']);
  await w.tdb.db.insertInto('suppressions').values({ address_hash: erasureHash(w.config.ERASURE_HASH_SECRET!, 'stub@erase-push.example'), reason: 'erased', created_by: 'test' }).execute();
  await w.tdb.db
    .insertInto('erasure_requests')
    .values({ subject_kind: 'contact', contact_id: c.id, contact_ids: [c.id], jurisdiction: 'DE', status: 'running', steps: JSON.stringify(initialSteps()), systems: JSON.stringify(initialSystems()), received_at: new Date(), due_at: new Date(), workflow_id: 'erasure-stub' })
    .execute();
  await eraseSubject(w.tdb.db, { contactIds: [c.id], addresses: ['stub@erase-push.example'], stubIds: [c.id] });
  expect(await entriesOf(c.id)).toEqual([]);
  expect(await w.tdb.db.selectFrom('contacts').select('id').where('id', '=', c.id).execute()).toHaveLength(1);

  // The stub changes later (e.g. its owner): a subject under erasure is not queued again.
  const admin = await w.tdb.db.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirstOrThrow();
  await w.tdb.db.updateTable('contacts').set({ owner_id: admin.id }).where('id', '=', c.id).execute();
  expect(await entriesOf(c.id)).toEqual([]);
  // An entry there anyway (say, queued by a statement that raced the request) is decided ERASED, not pushed.
  await w.tdb.db.insertInto('sync_outbound').values({ connector_id: connectorId, local_kind: 'contact', local_id: c.id, contact_id: c.id, priority: 0 }).execute();
  const cycle = await w.runCycle(connectorId);
  expect(cycle.outbound_pushed).toBe(0);
  expect(w.emulator.control.records('Contact').filter((r) => r.CRM_Workflows_Id__c === c.id)).toEqual([]);
  expect(await entriesOf(c.id)).toEqual([expect.objectContaining({ state: 'parked', code: 'ERASED' })]);
});
