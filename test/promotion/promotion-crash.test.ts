import type { AddressInfo } from 'node:net';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { uniqueTaskQueue } from '../harness/temporal';
import { workerProcesses } from '../harness/worker-process';
import { startPsaEmulator, type PsaEmulator } from '../emulators/psa-emulator';
import { CRM_KEY, PSA_KEY } from './promotion-fixture';
import { callJson } from '../harness/api';
import { eventually } from '../harness/eventually';

/**
 * Crash test with real processes: the worker is SIGKILLed while its create-client call is in flight,
 * after the PSA has already created the client (the PSA does the work, then stalls). The replacement
 * worker retries the step with the same idempotency key: one PSA client, and the promotion completes.
 */
// The killed worker's attempt is retried only after its 1-minute start-to-close timeout.
jest.setTimeout(180_000);

let ctx: ApiContext;
let psa: PsaEmulator;
const workers = workerProcesses();
const taskQueue = uniqueTaskQueue('promotion-crash');

const startWorkerProcess = () =>
  workers.start({ DATABASE_URL: ctx.tdb.url, TEMPORAL_TASK_QUEUE: taskQueue, PSA_API_URL: psa.url, PSA_INTEGRATION_KEY: PSA_KEY, CRM_INTEGRATION_KEY: CRM_KEY });

beforeAll(async () => {
  psa = await startPsaEmulator({ psaIntegrationKey: PSA_KEY, crmIntegrationKey: CRM_KEY, confirmationDelayMs: 1_000, webhookRetryDelayMs: 200 });
  ctx = await createApiContext({ TEMPORAL_TASK_QUEUE: taskQueue, PSA_API_URL: psa.url, PSA_INTEGRATION_KEY: PSA_KEY, CRM_INTEGRATION_KEY: CRM_KEY });
  await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  psa.setCrmWebhookUrl(`http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}/v1/webhooks/psa`);
});
afterAll(async () => {
  await workers.killAll();
  await psa?.close();
  await ctx?.close();
});

it('a worker SIGKILLed mid-notify is replaced and the promotion completes with exactly one PSA client', async () => {
  const company = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/companies', { name: 'Crashproof Ltd', domains: ['crashproof.example'] }, 201);
  await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/contacts', { companyId: company.id, firstName: 'Ada', email: 'ada@crashproof.example' }, 201);
  const status = () => callJson(ctx.app, ctx.keys.operator, 'GET', `/v1/companies/${company.id}/promotion`, undefined, 200);

  // Every create-client request is carried out by the PSA but never answered, until we say otherwise.
  psa.setFailureMode('hang_after_work', { route: 'createClient' });
  const first = await startWorkerProcess();
  await callJson(ctx.app, ctx.keys.admin, 'POST', `/v1/companies/${company.id}/promote`, undefined, 202);
  await eventually(async () => (psa.state.createClientCalls > 0 ? true : undefined), 'the PSA to create the client while the worker waits for the answer', 60_000, 20);
  first.kill('SIGKILL');
  await workers.exited(first);
  psa.setFailureMode('none');

  const midway = await status();
  expect(midway.status).toBe('running');
  expect(midway.steps.find((s: { name: string }) => s.name === 'notify_psa')?.status).toBe('running');
  expect(psa.state.clients.size).toBe(1);

  const second = await startWorkerProcess();
  const done = await eventually(async () => {
    const s = await status();
    return s.status === 'completed' || s.status === 'failed' ? s : undefined;
  }, 'the promotion to complete on the new worker', 150_000, 250);
  second.kill('SIGTERM');
  await workers.exited(second);

  expect(done).toMatchObject({ status: 'completed', contacts: { synced: 1, skipped: [] } });
  const clients = [...psa.state.clients.values()];
  expect(clients).toHaveLength(1);
  expect(done.psaClientId).toBe(clients[0]!.id);
  // The retry really happened (same idempotency key twice or more), and it found the client the crash left behind.
  expect(psa.state.callsByIdempotencyKey.get(`client:${company.id}`)).toBeGreaterThanOrEqual(2);
  const row = await ctx.tdb.db.selectFrom('companies').select(['status', 'psa_client_id']).where('id', '=', company.id).executeTakeFirstOrThrow();
  expect(row).toEqual({ status: 'customer', psa_client_id: clients[0]!.id });
});
