/**
 * One time-skipping Temporal environment, database, API (listening, so the PSA emulator can call
 * its webhook), PSA emulator (manual webhook delivery) and worker per promotion test file.
 */
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AddressInfo } from 'node:net';
import { createPsaClient, type PsaClient } from '../../integrations/psa/client';
import type { AppConfig } from '../../domain/config';
import type { PromotionView } from '../../db/promotions';
import { promotionContract } from '../../workflows/promotion/contract';
import { bearer, createRoleKeys, createTestApp, type RoleKeys } from '../harness/api';
import { testConfig } from '../harness/config';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { createTimeSkippingEnv, startTestWorker, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';
import { eventually } from '../harness/eventually';
import { startPsaEmulator, type PsaEmulator } from '../emulators/psa-emulator';

export const PSA_KEY = 'psa-key-promotion-tests-0123456789';
export const CRM_KEY = 'crm-key-promotion-tests-9876543210';

export interface PromotionFixture {
  env: TestWorkflowEnvironment;
  tdb: TestDatabase;
  app: FastifyInstance;
  keys: RoleKeys;
  config: AppConfig;
  psa: PsaEmulator;
  /** Runs after the worker's (real) PSA client verified the keys: e.g. to take the PSA down right after preflight. */
  psaHooks: { afterVerify?: () => void };
  worker: RunningWorker;
  stopWorker(): Promise<void>;
  /** A fresh worker (new activities, empty workflow cache) on the same task queue. */
  startWorker(): Promise<void>;
  createCompany(contacts: Array<string | null>, name?: string): Promise<{ companyId: string; contactIds: string[] }>;
  promote(companyId: string, key?: string): Promise<LightMyRequestResponse>;
  retry(companyId: string, key?: string): Promise<LightMyRequestResponse>;
  status(companyId: string): Promise<PromotionView>;
  /** Polls the status (real time, time skipping stays locked) until `done` holds; fails with the last status seen. */
  waitFor(companyId: string, what: string, done: (s: PromotionView) => boolean): Promise<PromotionView>;
  handle(companyId: string): ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>;
  close(): Promise<void>;
}

export interface PromotionFixtureOptions {
  /**
   * Workers without a sticky workflow cache. The time-skipping server never moves a task off a
   * stopped worker's sticky queue (the real server does), so tests that replace the worker need this.
   */
  noStickyCache?: boolean;
}

export async function createPromotionFixture(opts: PromotionFixtureOptions = {}): Promise<PromotionFixture> {
  const env = await createTimeSkippingEnv();
  const tdb = await createTestDatabase();
  const psa = await startPsaEmulator({ psaIntegrationKey: PSA_KEY, crmIntegrationKey: CRM_KEY, webhookDelivery: 'manual', confirmationDelayMs: 30_000, webhookRetryDelayMs: 5 });
  const taskQueue = uniqueTaskQueue('promotion');
  const config = testConfig({ TEMPORAL_TASK_QUEUE: taskQueue, PSA_API_URL: psa.url, PSA_INTEGRATION_KEY: PSA_KEY, CRM_INTEGRATION_KEY: CRM_KEY, PSA_CONFIRMATION_TIMEOUT: 'PT5M' });
  const app = await createTestApp({ db: tdb.db, temporal: env.client, config });
  await app.listen({ host: '127.0.0.1', port: 0 });
  psa.setCrmWebhookUrl(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/webhooks/psa`);
  const keys = await createRoleKeys(tdb.db);

  // No transport-level retries: each Temporal activity attempt is exactly one HTTP request.
  const real = createPsaClient({ baseUrl: psa.url, psaIntegrationKey: PSA_KEY, crmIntegrationKey: CRM_KEY, retries: 0, timeoutMs: 2_000 });
  const psaHooks: PromotionFixture['psaHooks'] = {};
  const psaClient: PsaClient = {
    ...real,
    verifyIntegrationKeys: async () => {
      const result = await real.verifyIntegrationKeys();
      psaHooks.afterVerify?.();
      return result;
    },
  };
  const deps = { db: tdb.db, config, psa: psaClient };
  // noStickyCache: every workflow task replays the whole history, as a freshly started worker would.
  const launch = () => startTestWorker({ connection: env.nativeConnection, taskQueue, deps, ...(opts.noStickyCache && { workerOptions: { maxCachedWorkflows: 0 } }) });

  const fx: PromotionFixture = {
    env,
    tdb,
    app,
    keys,
    config,
    psa,
    psaHooks,
    worker: await launch(),
    stopWorker: () => fx.worker.stop(),
    async startWorker() {
      fx.worker = await launch();
    },
    async createCompany(contacts, name = 'Acme Holdings') {
      const company = await app.inject({ method: 'POST', url: '/v1/companies', headers: bearer(keys.rep), payload: { name, domains: ['acme.example'] } });
      expect(company.statusCode).toBe(201);
      const companyId = (company.json() as { id: string }).id;
      const contactIds: string[] = [];
      for (const [i, email] of contacts.entries()) {
        const res = await app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(keys.rep), payload: { companyId, firstName: `Person${i}`, lastName: 'Example', ...(email !== null && { email }) } });
        expect(res.statusCode).toBe(201);
        contactIds.push((res.json() as { id: string }).id);
      }
      return { companyId, contactIds };
    },
    promote: (companyId, key = keys.admin) => app.inject({ method: 'POST', url: `/v1/companies/${companyId}/promote`, headers: bearer(key) }),
    retry: (companyId, key = keys.admin) => app.inject({ method: 'POST', url: `/v1/companies/${companyId}/promotion/retry`, headers: bearer(key) }),
    async status(companyId) {
      const res = await app.inject({ method: 'GET', url: `/v1/companies/${companyId}/promotion`, headers: bearer(keys.operator) });
      expect(res.statusCode).toBe(200);
      return res.json();
    },
    async waitFor(companyId, what, done) {
      let last: PromotionView | undefined;
      try {
        return await eventually(async () => {
          last = await fx.status(companyId);
          return done(last) ? last : undefined;
        }, what, 20_000, 25);
      } catch {
        // The workflow's side of the story, for whoever reads the failure.
        const events = (await fx.handle(companyId).fetchHistory()).events ?? [];
        const names = events.map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]);
        throw new Error(`Promotion of ${companyId} never reached "${what}". Last status:\n${JSON.stringify(last, null, 2)}\nHistory: ${names.join(', ')}`);
      }
    },
    handle: (companyId) => env.client.workflow.getHandle(promotionContract.id(companyId)),
    async close() {
      await fx.worker.stop();
      await app.close();
      await psa.close();
      await tdb.drop();
      await env.teardown();
    },
  };
  return fx;
}

export const stepStates = (s: PromotionView) => Object.fromEntries(s.steps.map((step) => [step.name, step.status]));
export const step = (s: PromotionView, name: string) => s.steps.find((x) => x.name === name);
