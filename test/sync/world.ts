/**
 * Per-file fixture for CRM sync: fresh database, API, the Salesforce emulator (unmodified jsforce talks
 * to it; its clock starts frozen at T0) and either a worker running the real loop, or `runCycle`, which
 * calls the loop's activities in the loop's order without Temporal (fast rule scenarios).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createSyncActivities } from '../../activities/sync';
import { clearSalesforceTokenCache } from '../../integrations/salesforce';
import type { SyncCycleRow } from '../../db/sync-tables';
import { crmSyncContract } from '../../workflows/crm-sync/contract';
import { callJson } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { eventually } from '../harness/eventually';
import { connectTestClient, startTestWorker, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';
import { startSalesforceEmulator, type SalesforceEmulator } from '../emulators/salesforce';

export const CREDENTIALS = { clientId: 'sync-test-app', clientSecret: 'sync-test-app-secret' };
export const T0 = '2026-03-02T10:00:00.000Z';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures read response bodies loosely
export type Json = any;

export interface SyncWorld extends ApiContext {
  emulator: SalesforceEmulator;
  taskQueue: string;
  temporalClient: Awaited<ReturnType<typeof connectTestClient>>['client'];
  worker: RunningWorker | null;
  startWorker(): Promise<void>;
  /** Creates a connector on the emulator through the API (cadence PT1H: cycles run when asked). */
  createConnector(settings?: Record<string, unknown>): Promise<string>;
  /** One whole cycle without Temporal (the loop's activities in the loop's order); returns its row. */
  runCycle(connectorId: string): Promise<SyncCycleRow>;
  /** With the worker: sync-now, then the next cycle that ends. */
  syncNow(connectorId: string, timeoutMs?: number): Promise<SyncCycleRow>;
  /** The cycle a new connector's loop runs on its own, once it has ended. */
  firstCycle(connectorId: string): Promise<SyncCycleRow>;
  /**
   * Lets `minutes` pass on the CRM's clock (past the change feeds' one-minute granularity). Our clock
   * does not jump with the emulator's, so the skew the connector learnt from Date headers moves by the
   * same amount: as if both clocks had run on together.
   */
  later(minutes?: number): Promise<void>;
  record(connectorId: string, externalId: string): Promise<Json>;
}

export async function startSyncWorld(opts: { worker?: boolean; emulatorSettings?: Record<string, unknown>; overrides?: Record<string, string> } = {}): Promise<SyncWorld> {
  clearSalesforceTokenCache();
  const taskQueue = uniqueTaskQueue('sync');
  const ctx = await createApiContext({ TEMPORAL_TASK_QUEUE: taskQueue, ...opts.overrides });
  const temporal = await connectTestClient();
  const emulator = await startSalesforceEmulator({ ...CREDENTIALS, now: T0, settings: { bulkPollsUntilComplete: 1, ...opts.emulatorSettings } });
  const deps = { db: ctx.tdb.db, config: ctx.config, temporal: temporal.client, crmClient: { sleep: () => Promise.resolve() } };
  const activities = createSyncActivities(deps);

  const world: SyncWorld = {
    ...ctx,
    emulator,
    taskQueue,
    temporalClient: temporal.client,
    worker: null,
    async startWorker() {
      world.worker = await startTestWorker({ taskQueue, deps });
    },
    async createConnector(settings = {}) {
      const body = await callJson(ctx.app, ctx.keys.admin, 'POST', '/v1/connectors', {
        type: 'salesforce',
        name: `Test org ${randomUUID().slice(0, 6)}`,
        settings: { loginUrl: emulator.url, ...CREDENTIALS, cadence: 'PT1H', domainsField: 'Domains__c', ...settings },
      }, 201);
      return body.id as string;
    },
    async runCycle(connectorId) {
      const ref = { connectorId, cycleId: randomUUID() };
      const begin = await activities.syncBeginCycle(ref);
      if (begin.action === 'run') {
        try {
          if (begin.kind === 'replay') {
            while ((await activities.syncReplayBatches(ref)).state === 'more');
          } else {
            const read = await activities.syncReadChanges(ref);
            for (const object of read.fullLoads) while ((await activities.syncLoadSnapshot({ ...ref, object })).state === 'more');
            while ((await activities.syncApplyBatches(ref)).state === 'more');
            while ((await activities.syncPushBatches(ref)).state === 'more');
          }
          await activities.syncEndCycle({ ...ref, status: 'completed' });
          await activities.syncPruneHistory(ref);
        } catch (err) {
          const name = (err as Error).name;
          const code = name === 'SalesforceQuotaError' ? 'REQUEST_LIMIT_EXCEEDED' : name === 'SalesforceAuthError' ? 'CRM_AUTH_FAILED' : name === 'SalesforceRejectedError' ? 'CRM_REJECTED' : 'CRM_UNAVAILABLE';
          await activities.syncEndCycle({ ...ref, status: code === 'REQUEST_LIMIT_EXCEEDED' ? 'deferred' : 'failed', code, ...(code === 'REQUEST_LIMIT_EXCEEDED' ? { deferMs: 3_600_000 } : {}) });
        }
      }
      const row = await ctx.tdb.db.selectFrom('sync_cycles').selectAll().where('id', '=', ref.cycleId).executeTakeFirst();
      if (!row) throw new Error(`cycle did not begin: ${JSON.stringify(begin)}`);
      return row;
    },
    async firstCycle(connectorId) {
      return eventually(async () => {
        const row = await ctx.tdb.db.selectFrom('sync_cycles').selectAll().where('connector_id', '=', connectorId).orderBy('started_at').executeTakeFirst();
        return row && row.status !== 'running' ? row : undefined;
      }, `the first cycle of ${connectorId} to end`, 60_000, 100);
    },
    async syncNow(connectorId, timeoutMs = 60_000) {
      // A sync-now signalled while a cycle runs queues one more cycle after it, which would then read the
      // CRM while the test is still changing it. So signal only once the loop is idle (its first cycle,
      // which starts on its own, included).
      await eventually(async () => {
        const cycles = await ctx.tdb.db.selectFrom('sync_cycles').select('status').where('connector_id', '=', connectorId).execute();
        return cycles.length > 0 && cycles.every((c) => c.status !== 'running') ? true : undefined;
      }, `the loop of ${connectorId} to be idle`, timeoutMs, 50);
      const before = new Date();
      await new Promise((r) => setTimeout(r, 5));
      await callJson(ctx.app, ctx.keys.admin, 'POST', `/v1/connectors/${connectorId}/sync-now`, undefined, 202);
      return eventually(async () => {
        const row = await ctx.tdb.db.selectFrom('sync_cycles').selectAll().where('connector_id', '=', connectorId).where('started_at', '>', before).where('status', '!=', 'running').orderBy('started_at', 'desc').executeTakeFirst();
        return row ?? undefined;
      }, `a cycle of ${connectorId} to end`, timeoutMs, 100);
    },
    async later(minutes = 2) {
      emulator.control.advanceClock(minutes * 60_000);
      await ctx.tdb.db.updateTable('connectors').set({ server_clock_skew_ms: sql`server_clock_skew_ms + ${minutes * 60_000}` }).execute();
    },
    async record(connectorId, externalId) {
      return callJson(ctx.app, ctx.keys.operator, 'GET', `/v1/connectors/${connectorId}/records/${externalId}`, undefined, 200);
    },
    close: async () => {
      // Loops of this file's connectors stop with it (the shared dev server outlives the file).
      const ids = await ctx.tdb.db.selectFrom('connectors').select('id').execute();
      await Promise.allSettled(ids.map((c) => temporal.client.workflow.getHandle(crmSyncContract.id(c.id)).terminate('test finished')));
      await world.worker?.stop();
      await emulator.stop();
      await temporal.close();
      await ctx.close();
    },
  };
  if (opts.worker) await world.startWorker();
  return world;
}

/** Seeds an Account and returns its id (a name and website of its own: another test's company is no lookalike). */
export function seedAccount(w: SyncWorld, fields: Record<string, unknown> = {}): string {
  const tag = randomUUID().slice(0, 8);
  return w.emulator.control.seed('Account', [{ Name: `Acme ${tag}`, Type: 'Customer', Website: `https://acme-${tag}.example`, ...fields }])[0]!;
}

export function seedContacts(w: SyncWorld, rows: Array<Record<string, unknown>>): string[] {
  return w.emulator.control.seed('Contact', rows.map((r) => ({ LastName: 'Person', ...r })));
}

export async function contactOf(w: SyncWorld, connectorId: string, externalId: string): Promise<Json | undefined> {
  const rec = await w.tdb.db.selectFrom('sync_records').select(['local_id', 'status', 'code']).where('connector_id', '=', connectorId).where('external_id', '=', externalId).executeTakeFirst();
  if (!rec?.local_id) return undefined;
  return w.tdb.db.selectFrom('contacts').selectAll().where('id', '=', rec.local_id).executeTakeFirst();
}
