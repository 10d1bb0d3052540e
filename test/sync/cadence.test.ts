/**
 * The loop's cadence under Temporal's time-skipping server: after a cycle the loop sleeps durably for
 * the connector's cadence (PT2M) and runs the next cycle on its own; no cycle runs in between. The
 * run's history (start, cycles, the cancellation when the connector is deleted) is the committed
 * replay history `crm-sync-cadence` (recorded with `npm run record-histories`).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { clearSalesforceTokenCache } from '../../integrations/salesforce';
import { connectorService } from '../../services/sync/connectors';
import { crmSyncContract } from '../../workflows/crm-sync/contract';
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
let emulator: SalesforceEmulator;
let worker: RunningWorker;
const taskQueue = uniqueTaskQueue('sync-cadence');
const config = testConfig({ TEMPORAL_TASK_QUEUE: taskQueue });

beforeAll(async () => {
  clearSalesforceTokenCache();
  [env, tdb, emulator] = await Promise.all([createTimeSkippingEnv(), createTestDatabase(), startSalesforceEmulator({ ...CREDENTIALS, now: T0, settings: { bulkPollsUntilComplete: 1 } })]);
  worker = await startTestWorker({ connection: env.nativeConnection, taskQueue, deps: { db: tdb.db, config, temporal: env.client, crmClient: { sleep: () => Promise.resolve() } } });
});
afterAll(async () => {
  await worker?.stop();
  await emulator?.stop();
  await env?.teardown();
  await tdb?.drop();
});

const cycles = async (connectorId: string) => tdb.db.selectFrom('sync_cycles').selectAll().where('connector_id', '=', connectorId).where('status', '=', 'completed').orderBy('started_at').execute();

it('runs a cycle, sleeps the cadence durably, runs the next on its own; deleting the connector stops it', async () => {
  const [account] = emulator.control.seed('Account', [{ Name: 'Cadence Co', Type: 'Customer' }]);
  const [contact] = emulator.control.seed('Contact', [{ AccountId: account, LastName: 'Tick', Email: 'tick@cadence.example' }]) as [string];
  const service = connectorService({ db: tdb.db, temporal: env.client, config });
  const connector = await service.create({ type: 'salesforce', name: 'Cadence', settings: { loginUrl: emulator.url, ...CREDENTIALS, cadence: 'PT2M', objects: ['Account', 'Contact'] } }, { userId: null, role: 'system' });
  const handle = env.client.workflow.getHandle(crmSyncContract.id(connector.id));

  await eventually(async () => ((await cycles(connector.id)).length >= 1 ? true : undefined), 'the first cycle', 60_000, 100);
  emulator.control.edit(contact, { LastName: 'Tock' });
  emulator.control.advanceClock(3 * 60_000);
  // The server's clock stands still while nothing waits on it: the cadence timer has not fired.
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await cycles(connector.id)).toHaveLength(1);
  expect((await handle.query(crmSyncContract.queries.status)).state).toBe('waiting');

  await env.sleep('3m');
  await eventually(async () => ((await cycles(connector.id)).length >= 2 ? true : undefined), 'the cycle the cadence starts', 60_000, 100);
  const local = await eventually(async () => {
    const row = await tdb.db.selectFrom('contacts').select('last_name').where('email_normalized', '=', 'tick@cadence.example').executeTakeFirst();
    return row?.last_name === 'Tock' ? row : undefined;
  }, 'the change to arrive', 30_000, 100);
  expect(local.last_name).toBe('Tock');
  expect((await cycles(connector.id)).map((c) => c.kind)).toEqual(['initial', 'incremental']);

  await service.remove(connector.id);
  await expect(handle.result()).rejects.toThrow();
  expect((await handle.describe()).status.name).toBe('CANCELLED');
  await recordHistory('crm-sync-cadence', handle);
});
