/**
 * Deal automation end to end under time skipping: database, API, PSA emulator (promotion rule) and a
 * worker whose activities have a Temporal client (rules start enrollments and promotions).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../../domain/config';
import { createPsaClient } from '../../integrations/psa/client';
import { dealAutomationContract } from '../../workflows/deal-automation/contract';
import { createRoleKeys, createTestApp, type RoleKeys } from '../harness/api';
import { testConfig } from '../harness/config';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { createTimeSkippingEnv, startTestWorker, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';
import { startPsaEmulator, type PsaEmulator } from '../emulators/psa-emulator';

const PSA_KEY = 'psa-key-deal-tests-0123456789abcdef';
const CRM_KEY = 'crm-key-deal-tests-fedcba9876543210';

export interface AutomationFixture {
  env: TestWorkflowEnvironment;
  tdb: TestDatabase;
  app: FastifyInstance;
  keys: RoleKeys;
  config: AppConfig;
  psa: PsaEmulator;
  worker: RunningWorker;
  handle(dealId: string): ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>;
  close(): Promise<void>;
}

export async function createAutomationFixture(): Promise<AutomationFixture> {
  const env = await createTimeSkippingEnv();
  const tdb = await createTestDatabase();
  const psa = await startPsaEmulator({ psaIntegrationKey: PSA_KEY, crmIntegrationKey: CRM_KEY, webhookDelivery: 'manual' });
  const taskQueue = uniqueTaskQueue('deal-automation');
  const config = testConfig({ TEMPORAL_TASK_QUEUE: taskQueue, PSA_API_URL: psa.url, PSA_INTEGRATION_KEY: PSA_KEY, CRM_INTEGRATION_KEY: CRM_KEY });
  const app = await createTestApp({ db: tdb.db, temporal: env.client, config });
  const keys = await createRoleKeys(tdb.db);
  const psaClient = createPsaClient({ baseUrl: psa.url, psaIntegrationKey: PSA_KEY, crmIntegrationKey: CRM_KEY, retries: 0, timeoutMs: 2_000 });
  const worker = await startTestWorker({ connection: env.nativeConnection, taskQueue, deps: { db: tdb.db, config, psa: psaClient, temporal: env.client } });
  return {
    env, tdb, app, keys, config, psa, worker,
    handle: (dealId) => env.client.workflow.getHandle(dealAutomationContract.id(dealId)),
    async close() {
      await worker.stop();
      await app.close();
      await psa.close();
      await tdb.drop();
      await env.teardown();
    },
  };
}
