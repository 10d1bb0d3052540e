/**
 * Crash test with real processes: the worker is SIGKILLed while the propagate step's Books call is in
 * flight (Books does the work, the answer never arrives). A replacement worker resumes the erasure from
 * its history: it completes, and no step's work is done twice (one Books erase write, one PSA delete,
 * one suppression, one receipt, each step started once). The workers encrypt payloads
 * (TEMPORAL_PAYLOAD_KEY), so verify reads the histories through the codec.
 */
import { randomBytes } from 'node:crypto';
import { createPsaClient } from '../../integrations/psa/client';
import { parsePayloadKeys } from '../../domain/payload-keys';
import { AesGcmPayloadCodec } from '../../temporal/codec/encryption-codec';
import { historyText } from '../../temporal/history-text';
import { callJson } from '../harness/api';
import { eventually } from '../harness/eventually';
import { seedContact } from '../harness/seed';
import { workerProcesses } from '../harness/worker-process';
import { awaitErasure, BOOKS_KEY, createErasureWorld, CRM_KEY, getErasure, PSA_KEY, requestErasure, type ErasureWorld } from './world';

// A killed worker's in-flight call is retried after its 10 s heartbeat timeout.
jest.setTimeout(180_000);

let world: ErasureWorld;
const workers = workerProcesses();
const payloadKey = `crash1:${randomBytes(32).toString('base64')}`;

const startWorkerProcess = () =>
  workers.start({
    DATABASE_URL: world.ctx.tdb.url,
    TEMPORAL_TASK_QUEUE: world.taskQueue,
    TEMPORAL_PAYLOAD_KEY: payloadKey,
    ERASURE_HASH_SECRET: world.ctx.config.ERASURE_HASH_SECRET,
    TRACKING_SECRET: world.ctx.config.TRACKING_SECRET,
    BOOKS_API_URL: world.books.url,
    BOOKS_API_KEY: BOOKS_KEY,
    PSA_API_URL: world.psa.url,
    PSA_INTEGRATION_KEY: PSA_KEY,
    CRM_INTEGRATION_KEY: CRM_KEY,
  });

beforeAll(async () => {
  world = await createErasureWorld({ name: 'crash', worker: false });
});
afterAll(async () => {
  await workers.killAll();
  await world?.close();
});

it('a worker SIGKILLed mid-erasure is replaced; the erasure completes with no step done twice', async () => {
  const { app, keys, tdb } = world.ctx;
  const db = tdb.db;
  const company = await callJson(app, keys.admin, 'POST', '/v1/companies', { name: 'Crash Ltd' }, 201);
  const psa = createPsaClient({ baseUrl: world.psa.url, psaIntegrationKey: PSA_KEY, crmIntegrationKey: CRM_KEY, retries: 0 });
  const { client } = await psa.createClient({ crmCompanyId: company.id, name: 'Crash Ltd', domains: [] });
  await db.updateTable('companies').set({ psa_client_id: client.id }).where('id', '=', company.id).execute();
  const contactId = await seedContact(db, { email: 'crash@erasure.example', firstName: 'Cosima', companyId: company.id });
  await psa.upsertContact({ clientId: client.id, crmContactId: contactId, email: 'crash@erasure.example' });
  await world.booksClient.createInvoice({ crmContactId: contactId, number: 'INV-CRASH', amount: '10.00', currency: 'EUR', issuedAt: '2025-06-01', billTo: { name: 'Cosima', email: 'crash@erasure.example' } });

  // Books' erase answers only after 6 s: the worker is killed while it waits (Books has done the work).
  world.books.setLatencyMs(6_000);
  const first = await startWorkerProcess();
  const r = await requestErasure(world, { contactId, jurisdiction: 'DE' });
  const eraseKey = `erase:${r.id}:${contactId}`;
  await eventually(async () => (world.books.state.callsByIdempotencyKey.get(eraseKey) === undefined && (await getErasure(world, r.id)).steps.find((s: { name: string }) => s.name === 'propagate').status !== 'pending' ? true : undefined), 'propagate to start', 60_000, 20);
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // the Books request is on the wire, waiting for its answer
  first.kill('SIGKILL');
  await workers.exited(first);
  world.books.setLatencyMs(0);
  await eventually(async () => (world.books.state.eraseWrites === 1 ? true : undefined), 'Books to finish the erase the killed worker asked for', 20_000);
  const midway = await getErasure(world, r.id);
  expect(midway.status).not.toBe('completed');
  expect(midway.steps.find((s: { name: string }) => s.name === 'erase_crm').status).toBe('completed');

  await startWorkerProcess();
  const done = await awaitErasure(world, r.id, 'completed', 120_000);
  expect(done.steps.every((s: { status: string }) => s.status === 'completed')).toBe(true);

  // Retried, never redone: Books saw the same idempotency key again and answered it from its record.
  expect(world.books.state.eraseWrites).toBe(1);
  expect(world.books.state.callsByIdempotencyKey.get(eraseKey)).toBe(2);
  expect(world.psa.state.deleteContactCalls).toBe(1);
  expect(await db.selectFrom('suppressions').select('id').where('reason', '=', 'erased').execute()).toHaveLength(1);
  expect(await db.selectFrom('erasure_receipts').select('seq').where('request_id', '=', r.id).execute()).toHaveLength(1);
  expect(await db.selectFrom('erasure_retained_records').select('id').where('request_id', '=', r.id).execute()).toHaveLength(1);
  expect(await db.selectFrom('activities').select('id').where('contact_id', '=', contactId).where('type', '=', 'erasure_completed').execute()).toHaveLength(1);

  // Payloads written by the workers are encrypted in history; the verify step read them through the codec.
  const history = await world.temporal.client.workflow.getHandle(r.workflowId).fetchHistory();
  const ring = parsePayloadKeys(payloadKey);
  if (!ring.ok) throw new Error('bad test key');
  expect(await historyText(history, [])).not.toContain('psaLinks');
  expect(await historyText(history, [new AesGcmPayloadCodec(ring.ring)])).toContain('psaLinks');
  expect(done.steps.find((s: { name: string }) => s.name === 'verify').detail).toMatch(/histor/);
});
