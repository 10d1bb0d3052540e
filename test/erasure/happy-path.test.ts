/**
 * The acceptance scenario, end to end with a real worker process: a contact with two live enrollments
 * (one mid-delay after its first email, one holding on a paused sequence), an invoice in Books, a PSA
 * link, a merged duplicate, a deal, a staged import row, a clear-text suppression and an old activity
 * entry quoting the address. After erasure: both enrollments ended ERASED and no email after
 * acceptance, the invoice reference retained with its legal basis and DE date, the contact a stub,
 * the address suppressed only as a hash, the PSA contact gone, a receipt that verifies, and the
 * address and names nowhere: not in a dump of every table, not in the API's or the worker's logs,
 * not in any workflow history of the test.
 */
import type { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createPsaClient } from '../../integrations/psa/client';
import { erasureHash } from '../../domain/privacy/erasure-hash';
import { createTestApp, callJson } from '../harness/api';
import { eventually } from '../harness/eventually';
import { seedContact } from '../harness/seed';
import { workerProcesses } from '../harness/worker-process';
import { recordHistory } from '../harness/histories';
import { historyText } from '../../temporal/history-text';
import { sinkContents } from '../sequences-edges/e2e';
import { createPipeline, dealBody } from '../deals/fixtures';
import { activeSequence, awaitErasure, BOOKS_KEY, createErasureWorld, CRM_KEY, dumpDatabase, enroll, findIn, PSA_KEY, requestErasure, type ErasureWorld } from './world';

const PERSON = { email: 'Wilhelmina.Fairweather@Erasure.example', firstName: 'Wilhelmina', lastName: 'Fairweather' };
const ADDRESS = PERSON.email.toLowerCase();
const NEEDLES = [ADDRESS, PERSON.firstName, PERSON.lastName, encodeURIComponent(ADDRESS)];

let world: ErasureWorld;
const workers = workerProcesses();
let worker: ChildProcess;
const apiLog: string[] = [];
const workerLog: string[] = [];

beforeAll(async () => {
  world = await createErasureWorld({ name: 'happy', worker: false });
  // The API as the service runs it, logging at debug into a buffer.
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (apiLog.push(chunk.toString()), done()) });
  world.ctx.app = await createTestApp({ db: world.ctx.tdb.db, temporal: world.temporal.client, config: world.ctx.config, logger: pino({ level: 'debug' }, stream) });
  worker = await workers.start({
    LOG_LEVEL: 'debug',
    DATABASE_URL: world.ctx.tdb.url,
    TEMPORAL_TASK_QUEUE: world.taskQueue,
    TRACKING_SECRET: world.ctx.config.TRACKING_SECRET,
    ERASURE_HASH_SECRET: world.ctx.config.ERASURE_HASH_SECRET,
    PUBLIC_BASE_URL: world.ctx.config.PUBLIC_BASE_URL,
    BOOKS_API_URL: world.books.url,
    BOOKS_API_KEY: BOOKS_KEY,
    PSA_API_URL: world.psa.url,
    PSA_INTEGRATION_KEY: PSA_KEY,
    CRM_INTEGRATION_KEY: CRM_KEY,
    ERASURE_ENROLLMENT_STOP_TIMEOUT: 'PT20S',
  });
  worker.stdout!.on('data', (c: Buffer) => workerLog.push(c.toString()));
  worker.stderr!.on('data', (c: Buffer) => workerLog.push(c.toString()));
}, 60_000);
afterAll(async () => {
  await workers.killAll();
  await world?.ctx.app.close();
  await world?.close();
});

it('stops sequences first, keeps the invoice reference, erases everywhere, and proves it', async () => {
  const { app, keys, tdb, config } = world.ctx;
  const db = tdb.db;

  // A company linked to a PSA client that holds the contact.
  const company = await callJson(app, keys.admin, 'POST', '/v1/companies', { name: 'Harbour Shipping', domains: ['erasure.example'] }, 201);
  const psa = createPsaClient({ baseUrl: world.psa.url, psaIntegrationKey: PSA_KEY, crmIntegrationKey: CRM_KEY, retries: 0 });
  const { client } = await psa.createClient({ crmCompanyId: company.id, name: 'Harbour Shipping', domains: ['erasure.example'] });
  await db.updateTable('companies').set({ psa_client_id: client.id }).where('id', '=', company.id).execute();

  const contact = await callJson(app, keys.rep, 'POST', '/v1/contacts', { ...PERSON, companyId: company.id, consent: 'opted_in', timeZone: 'Europe/Berlin' }, 201);
  await psa.upsertContact({ clientId: client.id, crmContactId: contact.id, email: PERSON.email, firstName: PERSON.firstName, lastName: PERSON.lastName });
  expect(world.psa.state.contacts.has(`${client.id}:${contact.id}`)).toBe(true);

  // Two enrollments: one sends its first email now and then waits a day; one holds on a paused sequence.
  const running = await activeSequence(world, [
    { subject: 'Hello {{contact.firstName}}', html: '<p>Dear {{contact.fullName}}, <a href="https://example.com/offer?for={{contact.email}}">your offer</a></p>', delay: 'PT0S' },
    { subject: 'Again, {{contact.firstName}}', text: 'Still there?', delay: 'P1D' },
  ], 'Running');
  const paused = await activeSequence(world, [{ subject: 'Paused', text: 'Held', delay: 'PT0S' }], 'Paused');
  await callJson(app, keys.admin, 'POST', `/v1/sequences/${paused.sequenceId}/pause`, undefined, 200);
  const midDelay = await enroll(world, running.sequenceId, contact.id);
  const holding = await enroll(world, paused.sequenceId, contact.id);
  await eventually(async () => ((await sinkContents(world.mailDir)).files.length === 1 ? true : undefined), 'the first email of the running sequence', 30_000);
  await eventually(async () => {
    const rows = await db.selectFrom('enrollments').select(['id', 'status', 'waiting_for', 'next_send_at']).where('id', 'in', [midDelay, holding]).execute();
    const mid = rows.find((r) => r.id === midDelay);
    const hold = rows.find((r) => r.id === holding);
    return mid?.next_send_at && hold?.status === 'paused' ? rows : undefined;
  }, 'one enrollment mid-delay, one held by the paused sequence', 30_000);

  // Everything else that can hold the person: an invoice (with bill-to), a duplicate merged into the
  // contact (tombstone + snapshot), a deal, a staged import row, a clear suppression, an old log entry.
  const { invoice } = await world.booksClient.createInvoice({ crmContactId: contact.id, number: 'INV-2025-0042', amount: '1200.50', currency: 'EUR', issuedAt: '2025-03-14', billTo: { name: `${PERSON.firstName} ${PERSON.lastName}`, email: PERSON.email, billingAddress: 'Hafenstraße 1, Hamburg' } });
  const tombstone = await seedContact(db, { email: null, firstName: null, lastName: null });
  await db.updateTable('contacts').set({ merged_into: contact.id, merged_at: new Date() }).where('id', '=', tombstone).execute();
  await db.insertInto('contact_merges').values({ primary_id: contact.id, duplicate_ids: [tombstone], status: 'completed', snapshot: JSON.stringify([{ id: tombstone, email: PERSON.email, firstName: PERSON.firstName, lastName: PERSON.lastName }]), workflow_id: `merge-${contact.id}` }).execute();
  const pipeline = await createPipeline(app, keys.admin);
  const deal = await callJson(app, keys.admin, 'POST', '/v1/deals', dealBody(pipeline.id, pipeline.stage('Lead'), { contactIds: [contact.id] }), 201);
  const imp = await db.insertInto('imports').values({ status: 'completed', on_existing: 'update', workflow_id: 'import-x' }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('import_rows').values({ import_id: imp.id, row_no: 2, email: PERSON.email, email_normalized: ADDRESS, first_name: PERSON.firstName, last_name: PERSON.lastName, company_id: null, company_name: null, time_zone: null, consent: null, status: null, duplicate_of: null }).execute();
  await callJson(app, keys.admin, 'POST', '/v1/suppressions', { address: PERSON.email, reason: 'manual', note: `asked by ${PERSON.firstName}` }, 201);
  await db.insertInto('activities').values({ contact_id: contact.id, type: 'email_clicked', data: JSON.stringify({ url: `https://example.com/offer?for=${encodeURIComponent(ADDRESS)}`, linkIndex: 0, sendId: contact.id }), actor: 'tracking:click' }).execute();
  // The data really is there before erasure, so its absence afterwards means something.
  expect(findIn(await dumpDatabase(db), NEEDLES).length).toBeGreaterThan(5);

  const accepted = await requestErasure(world, { contactId: contact.id, jurisdiction: 'DE', reference: 'GDPR-2025-17' });
  expect(accepted).toMatchObject({ status: 'running', subject: { kind: 'contact', contactId: contact.id, contacts: 2 }, jurisdiction: 'DE', reference: 'GDPR-2025-17' });
  // The same subject again (by its address): the live request, never a second workflow.
  const again = await requestErasure(world, { email: PERSON.email }, 200);
  expect(again.id).toBe(accepted.id);

  const done = await awaitErasure(world, accepted.id);
  await recordHistory('erasure-happy', world.temporal.client.workflow.getHandle(accepted.workflowId));
  expect(done.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual(['locate', 'stop_sequences', 'check_books', 'erase_crm', 'suppress', 'propagate', 'verify', 'receipt'].map((n) => `${n}:completed`));
  const step = (name: string) => done.steps.find((s: { name: string }) => s.name === name);
  expect(step('stop_sequences').code).toBe('ACTIVE_SEQUENCES');
  expect(step('check_books').code).toBe('FINANCIAL_RECORDS_RETAINED');
  expect(step('locate').detail).toMatch(/2 contact\(s\).*2 enrollment\(s\).*1 PSA link\(s\).*1 Books invoice\(s\)/);
  expect(Object.fromEntries(done.systems.map((s: { system: string; status: string }) => [s.system, s.status]))).toEqual({ crm: 'done', psa: 'done', books: 'done', salesforce: 'not_connected' });
  expect(done.systems.find((s: { system: string }) => s.system === 'salesforce').code).toBe('NOT_CONNECTED');
  // DE: 8 years from the end of the invoice's calendar year.
  expect(done.retained).toEqual([{ system: 'books', kind: 'invoice', reference: invoice.id, amount: '1200.5000', currency: 'EUR', issuedAt: '2025-03-14', legalBasis: expect.stringContaining('HGB §257'), retainUntil: '2033-12-31' }]);
  expect(JSON.stringify(done)).not.toMatch(new RegExp(`${PERSON.firstName}|${PERSON.lastName}|${ADDRESS}`, 'i'));

  // Sequences: both ended ERASED, and nothing was sent after acceptance.
  const enrollments = await db.selectFrom('enrollments').select(['id', 'status', 'ended_reason']).where('id', 'in', [midDelay, holding]).execute();
  expect(enrollments.map((e) => [e.status, e.ended_reason])).toEqual([['ended', 'ERASED'], ['ended', 'ERASED']]);
  for (const id of [midDelay, holding]) await expect(world.temporal.client.workflow.getHandle(`enrollment-${id}`).result()).resolves.toMatchObject({ status: 'ended', endedReason: 'ERASED' });
  expect((await sinkContents(world.mailDir)).files).toHaveLength(1);

  // The stub: only its id (the retained reference points at it); the tombstone is gone.
  const stub = await db.selectFrom('contacts').selectAll().where('id', 'in', [contact.id, tombstone]).execute();
  expect(stub).toHaveLength(1);
  expect(stub[0]).toMatchObject({ id: contact.id, email: null, email_normalized: null, first_name: null, last_name: null, time_zone: null, company_id: null, owner_id: null, external_ids: {} });
  expect(await db.selectFrom('deal_contacts').selectAll().where('deal_id', '=', deal.id).execute()).toEqual([]);

  // Suppressed only as a keyed hash.
  const suppressions = await db.selectFrom('suppressions').selectAll().execute();
  expect(suppressions).toEqual([expect.objectContaining({ reason: 'erased', address_normalized: null, address_hash: erasureHash(config.ERASURE_HASH_SECRET!, ADDRESS) })]);

  // PSA contact deleted; Books keeps only what the law obliges it to (bill-to name and address on the invoice).
  expect(world.psa.state.contacts.has(`${client.id}:${contact.id}`)).toBe(false);
  expect(world.psa.state.deleteContactCalls).toBe(1);
  expect(world.books.state.contacts.get(contact.id)?.email).toBeUndefined();

  // The receipt, and the chain verifies.
  const receipt = await callJson(app, keys.compliance, 'GET', `/v1/erasure-requests/${accepted.id}/receipt`, undefined, 200);
  expect(receipt).toMatchObject({ requestId: accepted.id, kind: 'erasure', body: { subject: { addressHash: erasureHash(config.ERASURE_HASH_SECRET!, ADDRESS) } } });
  expect(await callJson(app, keys.operator, 'GET', '/v1/erasure-receipts/verify', undefined, 200)).toMatchObject({ ok: true, receipts: 1 });

  // Nowhere: the database (every table, every column), the logs, the workflow histories.
  expect(findIn(await dumpDatabase(db), NEEDLES)).toEqual([]);
  const logs = [...apiLog, ...workerLog].join('\n');
  expect(logs.length).toBeGreaterThan(1000);
  for (const n of NEEDLES) expect({ needle: n, inLogs: logs.toLowerCase().includes(n.toLowerCase()) }).toEqual({ needle: n, inLogs: false });
  const runs = [];
  for await (const wf of world.temporal.client.workflow.list({ query: `TaskQueue = '${world.taskQueue}'` })) runs.push(wf);
  expect(runs.map((r) => r.type).sort()).toEqual(expect.arrayContaining(['enrollmentWorkflow', 'erasureWorkflow']));
  for (const run of runs) {
    const text = (await historyText(await world.temporal.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory(), [])).toLowerCase();
    for (const n of NEEDLES) expect({ workflowId: run.workflowId, needle: n, found: text.includes(n.toLowerCase()) }).toEqual({ workflowId: run.workflowId, needle: n, found: false });
  }
});
