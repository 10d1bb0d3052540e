/**
 * Each inbound rule through the engine (emulator → jsforce → rules → PostgreSQL), one cycle at a time
 * without Temporal (test/sync/world.ts runCycle calls the loop's activities in the loop's order).
 */
import { erasureHash } from '../../domain/privacy/erasure-hash';
import { callJson } from '../harness/api';
import { activitiesOf, enrollmentRow, seedContact, seedEnrollment, seedSequence } from '../harness/seed';
import { contactOf, seedAccount, seedContacts, startSyncWorld, type Json, type SyncWorld } from './world';

jest.setTimeout(120_000);

let w: SyncWorld;
beforeAll(async () => {
  w = await startSyncWorld();
});
afterAll(async () => w?.close());
beforeEach(() => w.emulator.control.reset());

const code = async (connectorId: string, id: string) => {
  const r = await w.record(connectorId, id);
  return `${r.status}:${r.code ?? ''}`;
};

it('COMPANY_INACTIVE freezes the company and its contacts; re-activated, the contacts catch up from their snapshots', async () => {
  const acc = seedAccount(w);
  const [c] = seedContacts(w, [{ AccountId: acc, FirstName: 'Ada', Email: 'ada@acme.example' }]) as [string];
  const id = await w.createConnector();
  await w.runCycle(id);
  expect(await code(id, c)).toBe('synced:');
  w.emulator.control.edit(acc, { Active__c: false, Name: 'Acme Closed' });
  w.emulator.control.edit(c, { FirstName: 'Augusta' });
  await w.later();
  await w.runCycle(id);
  expect(await code(id, acc)).toBe('frozen:COMPANY_INACTIVE');
  expect(await code(id, c)).toBe('frozen:COMPANY_INACTIVE');
  expect((await contactOf(w, id, c)).first_name).toBe('Ada');
  w.emulator.control.edit(acc, { Active__c: true });
  await w.later();
  await w.runCycle(id);
  expect(await code(id, c)).toBe('synced:');
  expect((await contactOf(w, id, c)).first_name).toBe('Augusta');
});

it('NO_LINKED_COMPANY until the account syncs; then the contact is created', async () => {
  const acc = seedAccount(w, { Active__c: false });
  const [c, orphan] = seedContacts(w, [{ AccountId: acc, Email: 'x@acme.example' }, { Email: 'orphan@acme.example' }]) as [string, string];
  const id = await w.createConnector();
  await w.runCycle(id);
  expect(await code(id, c)).toBe('skipped:COMPANY_INACTIVE');
  expect(await code(id, orphan)).toBe('skipped:NO_LINKED_COMPANY');
  w.emulator.control.edit(acc, { Active__c: true });
  await w.later();
  await w.runCycle(id);
  expect(await code(id, c)).toBe('synced:');
  expect(await code(id, orphan)).toBe('skipped:NO_LINKED_COMPANY');
});

it('B2C_SKIPPED with skipB2C; addresses only with syncAddresses (ADDRESS_SYNC_DISABLED otherwise)', async () => {
  const acc = seedAccount(w, { Name: 'Ada Lovelace' });
  const acc2 = seedAccount(w, { Name: 'Globex', Website: 'globex.example' });
  const [b2c, addr] = seedContacts(w, [
    { AccountId: acc, FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@home.example' },
    { AccountId: acc2, FirstName: 'Hank', LastName: 'Scorpio', Email: 'hank@globex.example', MailingCity: 'Cypress Creek' },
  ]) as [string, string];
  const id = await w.createConnector({ skipB2C: true });
  await w.runCycle(id);
  expect(await code(id, b2c)).toBe('skipped:B2C_SKIPPED');
  const rec = await w.record(id, addr);
  expect(rec.decision.checks.find((c: Json) => c.rule === 'addresses')).toMatchObject({ pass: false, code: 'ADDRESS_SYNC_DISABLED', blocking: false });
  expect((await contactOf(w, id, addr)).address).toBeNull();

  const withAddresses = await w.createConnector({ syncAddresses: true, detectDuplicatesOnCreate: false });
  await w.runCycle(withAddresses);
  expect((await contactOf(w, withAddresses, addr)).address).toMatchObject({ city: 'Cypress Creek' });
});

it('POSSIBLE_DUPLICATE goes to the review queue; a person links it or creates it', async () => {
  const acc = seedAccount(w);
  const id = await w.createConnector();
  await w.runCycle(id);
  const companyId = (await w.record(id, acc)).local.id;
  const local = await seedContact(w.tdb.db, { firstName: 'Grace', lastName: 'Hopper', email: 'grace@old.example', companyId });
  const [c, other] = seedContacts(w, [
    { AccountId: acc, FirstName: 'Grace', LastName: 'Hopper', Email: 'grace@acme.example' },
    { AccountId: acc, FirstName: 'Grace', LastName: 'Hopper', Email: 'g.hopper@acme.example' },
  ]) as [string, string];
  await w.later();
  await w.runCycle(id);
  expect(await code(id, c)).toBe('review:POSSIBLE_DUPLICATE');
  const queue = await callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${id}/review-queue`, undefined, 200);
  expect(queue.items).toHaveLength(2);
  const item = queue.items.find((i: Json) => i.externalId === c);
  expect(item.candidateIds).toEqual([local]);
  await callJson(w.app, w.keys.operator, 'POST', `/v1/connectors/${id}/review-queue/${item.id}/resolve`, { action: 'link', localId: local }, 403);
  const linked = await callJson(w.app, w.keys.admin, 'POST', `/v1/connectors/${id}/review-queue/${item.id}/resolve`, { action: 'link', localId: local }, 200);
  expect(linked).toMatchObject({ status: 'linked', resolvedLocalId: local });
  expect(await code(id, c)).toBe('synced:');
  expect((await w.tdb.db.selectFrom('contacts').select('email').where('id', '=', local).executeTakeFirstOrThrow()).email).toBe('grace@acme.example');
  // The other one: the same local contact is now taken, so it is created as a new contact.
  const second = queue.items.find((i: Json) => i.externalId === other);
  await callJson(w.app, w.keys.admin, 'POST', `/v1/connectors/${id}/review-queue/${second.id}/resolve`, { action: 'link', localId: local }, 409);
  const created = await callJson(w.app, w.keys.admin, 'POST', `/v1/connectors/${id}/review-queue/${second.id}/resolve`, { action: 'create' }, 200);
  expect(created.status).toBe('created');
  expect(created.resolvedLocalId).not.toBe(local);
  expect(await code(id, other)).toBe('synced:');
  await callJson(w.app, w.keys.admin, 'POST', `/v1/connectors/${id}/review-queue/${second.id}/resolve`, { action: 'create' }, 409);
});

it('conflicts: a field changed on both sides — the CRM wins on standard fields, local_overrides custom fields keep the local value', async () => {
  const acc = seedAccount(w);
  const [c] = seedContacts(w, [{ AccountId: acc, FirstName: 'Ada', Email: 'ada@acme.example', Title: 'Engineer' }]) as [string];
  const id = await w.createConnector({ customFields: [{ object: 'Contact', field: 'Title', policy: 'local_overrides' }] });
  await w.runCycle(id);
  const local = await contactOf(w, id, c);
  expect(local.custom_fields).toEqual({ Title: 'Engineer' });
  await callJson(w.app, w.keys.admin, 'PATCH', `/v1/contacts/${local.id}`, { firstName: 'Augusta' }, 200);
  await w.tdb.db.updateTable('contacts').set({ custom_fields: JSON.stringify({ Title: 'Countess' }) }).where('id', '=', local.id).execute();
  w.emulator.control.edit(c, { FirstName: 'Ada B.', Title: 'Analyst' });
  await w.later();
  await w.runCycle(id);
  const after = await contactOf(w, id, c);
  expect(after.first_name).toBe('Ada B.');
  expect(after.custom_fields).toEqual({ Title: 'Countess' });
  const rec = await w.record(id, c);
  expect(rec.decision.conflicts).toEqual(expect.arrayContaining([{ field: 'firstName', code: 'CONFLICT_CRM_WINS' }, { field: 'custom.Title', code: 'CONFLICT_LOCAL_OVERRIDE' }]));
  expect(rec.fields).toEqual(expect.arrayContaining([{ field: 'custom.Title', lastWrittenBy: 'local' }, { field: 'firstName', lastWrittenBy: 'crm' }]));
  expect((await activitiesOf(w.tdb.db, local.id, 'crm_sync_updated')).map((a) => a.reason_code)).toContain('CONFLICT_CRM_WINS');
});

it('a lead and a contact with one email: the contact syncs (MULTIPLE_CRM_MATCHES on the lead); a converted lead stops (CRM_LEAD_CONVERTED)', async () => {
  const acc = seedAccount(w);
  const [leadA, leadB, solo] = w.emulator.control.seed('Lead', [
    { LastName: 'Lead', Company: 'Acme', Email: 'both@acme.example' },
    { LastName: 'Lead', Company: 'Acme', Email: 'both@acme.example' },
    { LastName: 'Solo', Company: 'Initech', Email: 'solo@initech.example' },
  ]) as [string, string, string];
  const id = await w.createConnector();
  await w.runCycle(id);
  const [first, second] = [leadA, leadB].sort();
  expect(await code(id, first!)).toBe('synced:');
  expect(await code(id, second!)).toBe('skipped:MULTIPLE_CRM_MATCHES');
  const [contact] = seedContacts(w, [{ AccountId: acc, Email: 'both@acme.example' }]) as [string];
  await w.later();
  await w.runCycle(id);
  expect(await code(id, contact)).toBe('synced:');
  expect(await code(id, first!)).toBe('frozen:MULTIPLE_CRM_MATCHES');
  // The contact took over the lead's local contact (one person, one local contact).
  expect((await w.record(id, contact)).local.id).toBe((await w.record(id, first!)).local.id);

  const converted = w.emulator.control.convertLead(solo, { accountId: acc });
  await w.later();
  await w.runCycle(id);
  expect(await w.record(id, solo)).toMatchObject({ status: 'stopped', code: 'CRM_LEAD_CONVERTED', masterRecordId: converted.contactId });
  expect((await w.record(id, converted.contactId)).local.id).toBe((await w.record(id, solo)).local.id);
});

it('a CRM opt-out ends live enrollments through the contact lifecycle; DELETED_INACTIVE deletes the contact while its company is active', async () => {
  const acc = seedAccount(w);
  const [optOut, goes] = seedContacts(w, [{ AccountId: acc, Email: 'opt@acme.example' }, { AccountId: acc, Email: 'gone@acme.example' }]) as [string, string];
  const id = await w.createConnector({ deleteInactiveContacts: true });
  await w.runCycle(id);
  const seq = await seedSequence(w.tdb.db);
  const optLocal = await contactOf(w, id, optOut);
  const goneLocal = await contactOf(w, id, goes);
  const e1 = await seedEnrollment(w.tdb.db, { contactId: optLocal.id, sequenceId: seq.sequenceId });
  const e2 = await seedEnrollment(w.tdb.db, { contactId: goneLocal.id, sequenceId: seq.sequenceId });
  w.emulator.control.edit(optOut, { HasOptedOutOfEmail: true });
  w.emulator.control.edit(goes, { Active__c: false });
  await w.later();
  await w.runCycle(id);
  expect(await enrollmentRow(w.tdb.db, e1)).toMatchObject({ status: 'ended', ended_reason: 'CONSENT_OPTED_OUT' });
  expect((await contactOf(w, id, optOut)).consent).toBe('opted_out');
  expect(await code(id, goes)).toBe('deleted_local:DELETED_INACTIVE');
  expect(await w.tdb.db.selectFrom('contacts').select('id').where('id', '=', goneLocal.id).executeTakeFirst()).toBeUndefined();
  // Its enrollments were ended (and the workflows told) before the row went; the log says which.
  const [logged] = await activitiesOf(w.tdb.db, goneLocal.id, 'crm_sync_deleted_inactive');
  expect(logged).toMatchObject({ reason_code: 'DELETED_INACTIVE', data: expect.objectContaining({ endedEnrollmentIds: [e2] }) });
});

it('ERASED: an erased subject is never re-created', async () => {
  const acc = seedAccount(w);
  const [c] = seedContacts(w, [{ AccountId: acc, Email: 'Erased@Acme.example' }]) as [string];
  await w.tdb.db.insertInto('suppressions').values({ address_hash: erasureHash(w.config.ERASURE_HASH_SECRET!, 'erased@acme.example'), reason: 'erased', created_by: 'workflow:erasure-1' }).execute();
  const id = await w.createConnector();
  await w.runCycle(id);
  expect(await code(id, c)).toBe('skipped:ERASED');
  expect(await w.tdb.db.selectFrom('contacts').select('id').where('email_normalized', '=', 'erased@acme.example').execute()).toEqual([]);
});

it('DUPLICATE_EMAIL excludes every holder; when one changes its email the other syncs again; allowDuplicateEmails syncs each by CRM id', async () => {
  const acc = seedAccount(w);
  const [a, b] = seedContacts(w, [{ AccountId: acc, Email: 'same@acme.example' }, { AccountId: acc, Email: 'SAME@acme.example' }]) as [string, string];
  const id = await w.createConnector();
  await w.runCycle(id);
  expect([await code(id, a), await code(id, b)]).toEqual(['skipped:DUPLICATE_EMAIL', 'skipped:DUPLICATE_EMAIL']);
  w.emulator.control.edit(b, { Email: 'other@acme.example' });
  await w.later();
  await w.runCycle(id);
  expect([await code(id, a), await code(id, b)]).toEqual(['synced:', 'synced:']);

  w.emulator.control.edit(b, { Email: 'same@acme.example' });
  const allow = await w.createConnector({ allowDuplicateEmails: true, detectDuplicatesOnCreate: false });
  await w.runCycle(allow);
  const [ra, rb] = [await w.record(allow, a), await w.record(allow, b)];
  expect([ra.status, rb.status]).toEqual(['synced', 'synced']);
  expect(ra.local.id).not.toBe(rb.local.id);
});

it('scope linked_only creates nothing (SCOPE_LINKED_ONLY) but links a local contact with the email', async () => {
  const acc = seedAccount(w);
  const [known, unknown] = seedContacts(w, [{ AccountId: acc, Email: 'known@acme.example' }, { AccountId: acc, Email: 'new@acme.example' }]) as [string, string];
  const localId = await seedContact(w.tdb.db, { email: 'Known@acme.example' });
  const id = await w.createConnector({ scope: 'linked_only' });
  await w.runCycle(id);
  expect(await code(id, acc)).toBe('skipped:SCOPE_LINKED_ONLY');
  expect(await code(id, unknown)).toBe('skipped:SCOPE_LINKED_ONLY');
  expect(await w.record(id, known)).toMatchObject({ status: 'synced', local: { kind: 'contact', id: localId } });
  expect(await w.tdb.db.selectFrom('contacts').select('id').where('email_normalized', '=', 'new@acme.example').execute()).toEqual([]);
});

it('a settings change re-decides every record from its snapshot, without a CRM change (filter → FILTERED_OUT)', async () => {
  const acc = seedAccount(w, { Type: 'Customer' });
  const [c] = seedContacts(w, [{ AccountId: acc, Email: 'c@acme.example' }]) as [string];
  const id = await w.createConnector();
  await w.runCycle(id);
  expect(await code(id, c)).toBe('synced:');
  await callJson(w.app, w.keys.admin, 'PATCH', `/v1/connectors/${id}`, { settings: { filter: { object: 'Account', field: 'Type', values: ['Prospect'] } } }, 200);
  const cycle = await w.runCycle(id);
  expect(cycle.api_calls).toBeLessThanOrEqual(6);
  expect(await code(id, acc)).toBe('frozen:FILTERED_OUT');
  expect(await code(id, c)).toBe('frozen:FILTERED_OUT');
  await callJson(w.app, w.keys.admin, 'PATCH', `/v1/connectors/${id}`, { settings: { filter: { object: 'Contact', field: 'Type', values: ['x'] }, objects: ['Account'] } }, 400);
});
