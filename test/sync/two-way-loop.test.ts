/**
 * The loop with two-way on, under Temporal's time-skipping server: a cycle reads the CRM, applies it and
 * pushes the outbound queue (an owned contact appears in the CRM within that cycle), then prunes old
 * snapshots and sleeps the cadence; a replay asked for runs as its own cycle (kind `replay`). The run's
 * history is the committed replay history `crm-sync-two-way` (recorded with `npm run record-histories`),
 * so later changes to the loop must keep replaying it (patched `crm-sync-two-way`).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { clearSalesforceTokenCache } from '../../integrations/salesforce';
import { connectorService } from '../../services/sync/connectors';
import { crmSyncContract } from '../../workflows/crm-sync/contract';
import type { FastifyInstance } from 'fastify';
import { callJson, createRoleKeys, createTestApp, type RoleKeys } from '../harness/api';
import { testConfig } from '../harness/config';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { eventually } from '../harness/eventually';
import { recordHistory } from '../harness/histories';
import { createTimeSkippingEnv, startTestWorker, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';
import { startSalesforceEmulator, type SalesforceEmulator } from '../emulators/salesforce';
import { CREDENTIALS, T0 } from './world';

jest.setTimeout(180_000);

let env: TestWorkflowEnvironment;
let tdb: TestDatabase;
let app: FastifyInstance;
let keys: RoleKeys;
let emulator: SalesforceEmulator;
let worker: RunningWorker;
const taskQueue = uniqueTaskQueue('sync-two-way');
const config = testConfig({ TEMPORAL_TASK_QUEUE: taskQueue });

beforeAll(async () => {
  clearSalesforceTokenCache();
  [env, tdb, emulator] = await Promise.all([createTimeSkippingEnv(), createTestDatabase(), startSalesforceEmulator({ ...CREDENTIALS, now: T0, settings: { bulkPollsUntilComplete: 1 } })]);
  app = await createTestApp({ db: tdb.db, temporal: env.client, config });
  keys = await createRoleKeys(tdb.db);
  worker = await startTestWorker({ connection: env.nativeConnection, taskQueue, deps: { db: tdb.db, config, temporal: env.client, crmClient: { sleep: () => Promise.resolve() } } });
});
afterAll(async () => {
  await worker?.stop();
  await emulator?.stop();
  await app?.close();
  await env?.teardown();
  await tdb?.drop();
});

const cycles = async (connectorId: string) => tdb.db.selectFrom('sync_cycles').selectAll().where('connector_id', '=', connectorId).where('status', '=', 'completed').orderBy('started_at').execute();

it('pushes an owned contact in the cycle, runs a replay as its own cycle; deleting the connector stops the loop', async () => {
  const [account] = emulator.control.seed('Account', [{ Name: 'Two Way Co', Type: 'Customer', Website: 'https://two-way.example' }]) as [string];
  const service = connectorService({ db: tdb.db, temporal: env.client, config: config });
  const connector = await service.create({ type: 'salesforce', name: 'Two way', settings: { loginUrl: emulator.url, ...CREDENTIALS, cadence: 'PT2M', objects: ['Account', 'Contact'], outbound: true } }, { userId: null, role: 'system' });
  const handle = env.client.workflow.getHandle(crmSyncContract.id(connector.id));
  await eventually(async () => ((await cycles(connector.id)).length >= 1 ? true : undefined), 'the first cycle', 60_000, 100);
  const company = await tdb.db.selectFrom('sync_records').select('local_id').where('connector_id', '=', connector.id).where('external_id', '=', account).executeTakeFirstOrThrow();

  const ada = await callJson(app, keys.rep, 'POST', '/v1/contacts', { email: 'ada@two-way.example', lastName: 'Lovelace', companyId: company.local_id }, 201);
  await env.sleep('3m');
  const crm = await eventually(async () => emulator.control.records('Contact').find((r) => r.CRM_Workflows_Id__c === ada.id), 'the contact pushed by the next cycle', 60_000, 100);
  expect(crm).toMatchObject({ LastName: 'Lovelace', AccountId: account });

  // The window is checked against the API's clock (snapshots are kept CRM_SYNC_SNAPSHOT_RETENTION days).
  const now = Date.now();
  await callJson(app, keys.admin, 'POST', `/v1/connectors/${connector.id}/replay`, { from: new Date(now - 3_600_000).toISOString(), to: new Date(now).toISOString() }, 202);
  await eventually(async () => ((await cycles(connector.id)).some((c) => c.kind === 'replay') ? true : undefined), 'the replay cycle', 60_000, 100);
  expect((await cycles(connector.id)).map((c) => c.kind)).toEqual(['initial', 'incremental', 'replay']);
  expect(emulator.control.records('Contact').filter((r) => r.CRM_Workflows_Id__c === ada.id)).toHaveLength(1);

  await service.remove(connector.id);
  await expect(handle.result()).rejects.toThrow();
  expect((await handle.describe()).status.name).toBe('CANCELLED');
  await recordHistory('crm-sync-two-way', handle);
});
