/**
 * Erasure by an address no contact has (still suppressed), a contact without invoices (its row goes),
 * and afterwards the person cannot come back: not through the contacts API (create or update), not by
 * enrollment, not by CSV import (ERASED; the address is never echoed).
 */
import { call, callJson } from '../harness/api';
import { seedContact } from '../harness/seed';
import { erasureHash } from '../../domain/privacy/erasure-hash';
import { importCsv, importErrors } from '../duplicates-import/world';
import { activeSequence, awaitErasure, createErasureWorld, requestErasure, type ErasureWorld } from './world';

let world: ErasureWorld;
beforeAll(async () => {
  world = await createErasureWorld({ name: 'refusals' });
});
afterAll(() => world?.close());

it('erases by an address no contact has: the address is suppressed as a hash, nothing else to do', async () => {
  const r = await requestErasure(world, { email: 'Nobody.Here@Erasure.example', jurisdiction: 'UK' });
  expect(r.subject).toEqual({ kind: 'email', contacts: 0 });
  const done = await awaitErasure(world, r.id);
  expect(Object.fromEntries(done.systems.map((s: { system: string; status: string }) => [s.system, s.status]))).toEqual({ crm: 'done', psa: 'not_applicable', books: 'not_applicable', salesforce: 'not_connected' });
  expect(done.retained).toEqual([]);
  const rows = await world.ctx.tdb.db.selectFrom('suppressions').selectAll().where('address_hash', '=', erasureHash(world.ctx.config.ERASURE_HASH_SECRET!, 'nobody.here@erasure.example')).execute();
  expect(rows).toEqual([expect.objectContaining({ reason: 'erased', address_normalized: null })]);
});

it('deletes the row of a contact without invoices, then refuses the person everywhere (ERASED)', async () => {
  const { app, keys, tdb } = world.ctx;
  const contact = await callJson(app, keys.rep, 'POST', '/v1/contacts', { email: 'ottilie@erasure.example', firstName: 'Ottilie', consent: 'opted_in' }, 201);
  const r = await requestErasure(world, { contactId: contact.id });
  const done = await awaitErasure(world, r.id);
  expect(done.steps.find((s: { name: string }) => s.name === 'check_books')).toMatchObject({ status: 'completed', detail: expect.stringMatching(/No invoices/) });
  expect(done.steps.find((s: { name: string }) => s.name === 'check_books').code).toBeUndefined();
  expect((await call(app, keys.admin, 'GET', `/v1/contacts/${contact.id}`)).statusCode).toBe(404);

  // Contacts API: create, and update another contact to the address.
  const created = await call(app, keys.rep, 'POST', '/v1/contacts', { email: 'OTTILIE@erasure.example', firstName: 'Ottilie' });
  expect(created.statusCode).toBe(409);
  expect(created.json().error).toMatchObject({ code: 'ERASED', message: expect.stringMatching(/erased subject/), details: [{ path: 'body.email', code: 'ERASED' }] });
  expect(created.body.toLowerCase()).not.toContain('ottilie@');
  const other = await callJson(app, keys.rep, 'POST', '/v1/contacts', { email: 'someone.else@erasure.example' }, 201);
  expect((await call(app, keys.rep, 'PATCH', `/v1/contacts/${other.id}`, { email: 'ottilie@erasure.example' })).json().error.code).toBe('ERASED');

  // Enrollment: a contact holding the address (e.g. written by a sync before it knew) is refused.
  const sneaked = await seedContact(tdb.db, { email: 'ottilie@erasure.example' });
  const seq = await activeSequence(world, [{ subject: 'Hi', text: 'Hi', delay: 'PT0S' }]);
  const { results } = await callJson(app, keys.admin, 'POST', `/v1/sequences/${seq.sequenceId}/enrollments`, { contactIds: [sneaked] }, 200);
  expect(results).toEqual([expect.objectContaining({ status: 'rejected', reasons: expect.arrayContaining(['ERASED']) })]);

  // CSV import.
  const imp = await importCsv(app, keys.rep, 'email,firstName\nottilie@erasure.example,Ottilie\nfresh@erasure.example,Fresh\n');
  expect(imp.progress).toMatchObject({ created: 1, failed: 1 });
  const errors = await importErrors(app, keys.rep, imp.id);
  expect(errors).toEqual([expect.objectContaining({ row: 2, field: 'email', code: 'ERASED' })]);
  expect(JSON.stringify(errors)).not.toContain('ottilie@');
});

it('verify fails the request, naming where the address was still found (never the address)', async () => {
  const { app, keys } = world.ctx;
  // A column classified as not personal that, here, holds the address: erase_crm leaves it, verify finds it.
  await callJson(app, keys.admin, 'POST', '/v1/companies', { name: 'Left behind: leftover@verify.example' }, 201);
  const contact = await callJson(app, keys.rep, 'POST', '/v1/contacts', { email: 'leftover@verify.example', firstName: 'Lorcan' }, 201);
  const r = await requestErasure(world, { contactId: contact.id });
  const failed = await awaitErasure(world, r.id, 'failed');
  expect(failed.code).toBe('PERSONAL_DATA_FOUND');
  const verify = failed.steps.find((s: { name: string }) => s.name === 'verify');
  expect(verify).toMatchObject({ status: 'failed', code: 'PERSONAL_DATA_FOUND', detail: expect.stringContaining('companies.name (address)') });
  expect(JSON.stringify(failed)).not.toContain('leftover@');
  expect((await call(app, keys.compliance, 'GET', `/v1/erasure-requests/${r.id}/receipt`)).statusCode).toBe(404);
});
