/**
 * The outbound rules on the real engine (runCycle: the loop's activities in order, the emulator as
 * Salesforce): an owned contact under a synced company is created in the CRM (upsert on our external
 * id) and later changes are pushed; its email activity becomes a Task; an unowned one with no CRM match
 * is UNASSIGNED_NO_CRM_MATCH; an owned one without a linked company NO_LINKED_COMPANY until it gets
 * one; an unowned one whose email a CRM contact has links to it (scope linked_only); an erased subject
 * is never pushed; a company updates its linked account; the queue is capped (QUEUED_OVER_CAP).
 */
import { sql } from 'kysely';
import { erasureHash } from '../../domain/privacy/erasure-hash';
import { callJson } from '../harness/api';
import { seedAccount, seedContacts, startSyncWorld, type Json, type SyncWorld } from './world';

jest.setTimeout(120_000);

let w: SyncWorld;
beforeAll(async () => {
  w = await startSyncWorld();
});
afterAll(async () => w?.close());

const outbound = (connectorId: string, query = '') => callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${connectorId}/outbound${query}`, undefined, 200);
const crmContact = (email: string) => w.emulator.control.records('Contact').find((r) => String(r.Email).toLowerCase() === email) as Json;
const createContact = (key: string, body: Record<string, unknown>) => callJson(w.app, key, 'POST', '/v1/contacts', body, 201);
const companyOf = async (connectorId: string, accountId: string): Promise<string> =>
  (await w.tdb.db.selectFrom('sync_records').select('local_id').where('connector_id', '=', connectorId).where('external_id', '=', accountId).executeTakeFirstOrThrow()).local_id!;

describe('two-way connector', () => {
  let connectorId: string;
  let accountId: string;
  let companyId: string;

  beforeAll(async () => {
    accountId = seedAccount(w, { Name: 'Outbound Co', Website: 'https://outbound.example' });
    connectorId = await w.createConnector({ outbound: true, objects: ['Account', 'Contact', 'Lead'] });
    expect(await w.runCycle(connectorId)).toMatchObject({ kind: 'initial', status: 'completed' });
    companyId = await companyOf(connectorId, accountId);
  });

  it('creates an owned contact under a synced company in the CRM, idempotently keyed by our id, then pushes its changes', async () => {
    const ada = await createContact(w.keys.rep, { email: 'ada@outbound.example', firstName: 'Ada', lastName: 'Lovelace', companyId });
    const cycle = await w.runCycle(connectorId);
    expect(cycle).toMatchObject({ status: 'completed', outbound_pushed: 1, outbound_failed: 0 });
    const crm = crmContact('ada@outbound.example');
    expect(crm).toMatchObject({ FirstName: 'Ada', LastName: 'Lovelace', AccountId: accountId, CRM_Workflows_Id__c: ada.id });
    expect(await w.record(connectorId, crm.Id)).toMatchObject({ status: 'synced', local: { kind: 'contact', id: ada.id } });
    expect((await outbound(connectorId)).items).toEqual([]);

    await callJson(w.app, w.keys.rep, 'PATCH', `/v1/contacts/${ada.id}`, { firstName: 'Augusta', consent: 'opted_out' }, 200);
    await w.runCycle(connectorId);
    expect(crmContact('ada@outbound.example')).toMatchObject({ FirstName: 'Augusta', HasOptedOutOfEmail: true, LastName: 'Lovelace' });
    const pushes = await w.tdb.db.selectFrom('sync_record_pushes').select(['outcome', 'fields']).where('connector_id', '=', connectorId).where('local_id', '=', ada.id).orderBy('id').execute();
    expect(pushes).toEqual([
      { outcome: 'created', fields: expect.arrayContaining(['email', 'firstName', 'lastName']) },
      { outcome: 'updated', fields: ['firstName', 'consent'] },
    ]);
    // The CRM's echo of our own writes changes nothing locally and is not pushed back.
    await w.later();
    const echo = await w.runCycle(connectorId);
    expect(echo.outbound_pushed).toBe(0);
    expect(w.emulator.control.records('Contact').filter((r) => r.CRM_Workflows_Id__c === ada.id)).toHaveLength(1);
  });

  it('pushes email activity as a completed Task on the contact', async () => {
    const bea = await createContact(w.keys.rep, { email: 'bea@outbound.example', lastName: 'Bea', companyId });
    await sql`insert into activities (contact_id, type, data, actor) values (${bea.id}::uuid, 'email_sent', '{}', 'test'), (${bea.id}::uuid, 'email_clicked', '{}', 'test')`.execute(w.tdb.db);
    const cycle = await w.runCycle(connectorId);
    expect(cycle.outbound_pushed).toBe(2);
    const person = crmContact('bea@outbound.example');
    const tasks = w.emulator.control.records('Task').filter((t) => t.WhoId === person.Id);
    expect(tasks).toEqual([expect.objectContaining({ Subject: 'Email sent (CRM-workflows)', Status: 'Completed', TaskSubtype: 'Email' })]);
    expect(String(tasks[0]!.CRM_Workflows_Id__c)).toMatch(/^activity-\d+$/);
  });

  it('lists an unowned contact with no CRM match as UNASSIGNED_NO_CRM_MATCH and an owned one without a linked company as NO_LINKED_COMPANY', async () => {
    const unowned = await createContact(w.keys.admin, { email: 'nobody@outbound.example', lastName: 'Nobody', companyId });
    const homeless = await createContact(w.keys.rep, { email: 'homeless@outbound.example', lastName: 'Homeless' });
    await w.runCycle(connectorId);
    expect(crmContact('nobody@outbound.example')).toBeUndefined();
    expect(crmContact('homeless@outbound.example')).toBeUndefined();
    const listed = await outbound(connectorId, '?code=UNASSIGNED_NO_CRM_MATCH');
    expect(listed.items).toEqual([expect.objectContaining({ kind: 'contact', localId: unowned.id, state: 'parked', code: 'UNASSIGNED_NO_CRM_MATCH' })]);
    const [noCompany] = (await outbound(connectorId, '?code=NO_LINKED_COMPANY')).items as Json[];
    expect(noCompany).toMatchObject({ localId: homeless.id, decision: { checks: expect.arrayContaining([expect.objectContaining({ rule: 'company_linked', pass: false })]) } });

    // Given a synced company, it is created.
    await callJson(w.app, w.keys.rep, 'PATCH', `/v1/contacts/${homeless.id}`, { companyId }, 200);
    await w.runCycle(connectorId);
    expect(crmContact('homeless@outbound.example')).toMatchObject({ AccountId: accountId, CRM_Workflows_Id__c: homeless.id });
  });

  it('never pushes an erased subject', async () => {
    const gone = await createContact(w.keys.rep, { email: 'gone@outbound.example', lastName: 'Gone', companyId });
    await w.tdb.db.insertInto('suppressions').values({ address_hash: erasureHash(w.config.ERASURE_HASH_SECRET!, 'gone@outbound.example'), reason: 'erased', created_by: 'test' }).execute();
    await w.runCycle(connectorId);
    expect(crmContact('gone@outbound.example')).toBeUndefined();
    expect((await outbound(connectorId, '?code=ERASED')).items).toEqual([expect.objectContaining({ localId: gone.id, state: 'parked' })]);
  });

  it('updates the linked account when the company changes locally', async () => {
    await callJson(w.app, w.keys.admin, 'PATCH', `/v1/companies/${companyId}`, { name: 'Outbound Company Renamed' }, 200);
    await w.runCycle(connectorId);
    expect(w.emulator.control.record(accountId)).toMatchObject({ Name: 'Outbound Company Renamed' });
  });

  it('caps the push per cycle, owned contacts first (QUEUED_OVER_CAP)', async () => {
    await callJson(w.app, w.keys.admin, 'PATCH', `/v1/connectors/${connectorId}`, { settings: { recordCap: 2 } }, 200);
    const names = ['cap1', 'cap2', 'cap3'];
    for (const n of names) await createContact(w.keys.rep, { email: `${n}@outbound.example`, lastName: n, companyId });
    const first = await w.runCycle(connectorId);
    expect(first.outbound_pushed).toBe(2);
    expect(first.codes).toMatchObject({ QUEUED_OVER_CAP: 1 });
    expect((await outbound(connectorId, '?code=QUEUED_OVER_CAP')).items).toHaveLength(1);
    await w.runCycle(connectorId);
    for (const n of names) expect(crmContact(`${n}@outbound.example`)).toBeDefined();
    await callJson(w.app, w.keys.admin, 'PATCH', `/v1/connectors/${connectorId}`, { settings: { recordCap: 500 } }, 200);
  });
});

it('links an unowned contact to the CRM contact with its email, then pushes its changes (scope linked_only)', async () => {
  const acc = seedAccount(w);
  const [crmId] = seedContacts(w, [{ AccountId: acc, FirstName: 'Cy', LastName: 'Match', Email: 'cy@match.example' }]) as [string];
  const connectorId = await w.createConnector({ outbound: true, scope: 'linked_only', objects: ['Account', 'Contact'] });
  await w.runCycle(connectorId);
  expect(await w.record(connectorId, crmId)).toMatchObject({ status: 'skipped', code: 'SCOPE_LINKED_ONLY' });

  const cy = await createContact(w.keys.admin, { email: 'cy@match.example', lastName: 'Match' });
  await w.runCycle(connectorId);
  expect(await w.record(connectorId, crmId)).toMatchObject({ status: 'synced', local: { kind: 'contact', id: cy.id } });
  // Linking takes the CRM's values (as any inbound link): the first name arrives locally.
  expect((await w.tdb.db.selectFrom('contacts').select('first_name').where('id', '=', cy.id).executeTakeFirstOrThrow()).first_name).toBe('Cy');

  await callJson(w.app, w.keys.admin, 'PATCH', `/v1/contacts/${cy.id}`, { lastName: 'Matched' }, 200);
  await w.runCycle(connectorId);
  expect(w.emulator.control.record(crmId)).toMatchObject({ LastName: 'Matched', FirstName: 'Cy' });
  expect(w.emulator.control.records('Contact').filter((r) => String(r.Email) === 'cy@match.example')).toHaveLength(1);
});
