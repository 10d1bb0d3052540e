/**
 * An unreachable system is retried with backoff, never silently done: while the PSA (propagate) or
 * Books (check_books) is down, the request is `waiting` and shows the system's …_UNREACHABLE code;
 * once it is back, the erasure completes.
 */
import { createPsaClient } from '../../integrations/psa/client';
import { callJson } from '../harness/api';
import { eventually } from '../harness/eventually';
import { seedContact } from '../harness/seed';
import { awaitErasure, createErasureWorld, CRM_KEY, getErasure, PSA_KEY, requestErasure, type ErasureWorld } from './world';

let world: ErasureWorld;
beforeAll(async () => {
  world = await createErasureWorld({ name: 'unreachable' });
});
afterAll(() => world?.close());

it('PSA unreachable: propagate waits with PSA_UNREACHABLE, then completes when the PSA is back', async () => {
  const { app, keys, tdb } = world.ctx;
  const company = await callJson(app, keys.admin, 'POST', '/v1/companies', { name: 'Down Ltd' }, 201);
  const psa = createPsaClient({ baseUrl: world.psa.url, psaIntegrationKey: PSA_KEY, crmIntegrationKey: CRM_KEY, retries: 0 });
  const { client } = await psa.createClient({ crmCompanyId: company.id, name: 'Down Ltd', domains: [] });
  await tdb.db.updateTable('companies').set({ psa_client_id: client.id }).where('id', '=', company.id).execute();
  const contactId = await seedContact(tdb.db, { email: 'psa.down@erasure.example', companyId: company.id });
  await psa.upsertContact({ clientId: client.id, crmContactId: contactId, email: 'psa.down@erasure.example' });

  world.psa.setFailureMode('unreachable', { route: 'deleteContact' });
  const r = await requestErasure(world, { contactId });
  const waiting = await awaitErasure(world, r.id, 'waiting');
  expect(waiting.systems.find((s: { system: string }) => s.system === 'psa')).toMatchObject({ status: 'waiting', code: 'PSA_UNREACHABLE', detail: expect.stringMatching(/unreachable.*retrying with backoff/) });
  expect(waiting.steps.find((s: { name: string }) => s.name === 'propagate').status).toBe('waiting');
  // Still waiting a little later: retried, never given up or marked done.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  expect((await getErasure(world, r.id)).status).toBe('waiting');

  world.psa.setFailureMode('none');
  const done = await awaitErasure(world, r.id, 'completed', 120_000);
  expect(done.systems.find((s: { system: string }) => s.system === 'psa')).toMatchObject({ status: 'done' });
  expect(world.psa.state.contacts.has(`${client.id}:${contactId}`)).toBe(false);
});

it('Books unreachable: check_books waits with BOOKS_UNREACHABLE, then retains the invoice when Books is back', async () => {
  const contactId = await seedContact(world.ctx.tdb.db, { email: 'books.down@erasure.example' });
  await world.booksClient.createInvoice({ crmContactId: contactId, number: 'INV-DOWN-1', amount: '99.00', currency: 'GBP', issuedAt: '2024-02-29' });
  await world.books.goOffline();
  const r = await requestErasure(world, { contactId, jurisdiction: 'UK' });
  const waiting = await awaitErasure(world, r.id, 'waiting');
  expect(waiting.steps.find((s: { name: string }) => s.name === 'check_books')).toMatchObject({ status: 'waiting', code: 'BOOKS_UNREACHABLE' });
  // Nothing was erased while Books could not say what must be kept.
  expect(await world.ctx.tdb.db.selectFrom('contacts').select('email').where('id', '=', contactId).executeTakeFirst()).toEqual({ email: 'books.down@erasure.example' });

  await world.books.goOnline();
  const done = await awaitErasure(world, r.id, 'completed', 120_000);
  expect(done.steps.find((s: { name: string }) => s.name === 'check_books')).toMatchObject({ status: 'completed', code: 'FINANCIAL_RECORDS_RETAINED' });
  // UK: 6 years from issue; 29 February 2024 → 28 February 2030.
  expect(done.retained).toEqual([expect.objectContaining({ amount: '99.0000', currency: 'GBP', issuedAt: '2024-02-29', retainUntil: '2030-02-28', legalBasis: expect.stringContaining('HMRC') })]);
  await eventually(async () => (world.books.state.eraseWrites >= 1 ? true : undefined), 'Books erase call');
});
