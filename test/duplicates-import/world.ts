/**
 * Per-file fixture for duplicates, merge and import: fresh database, API (inject, or listening for
 * streamed uploads), a Temporal client and an in-process worker on the shared dev server.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AddressInfo } from 'node:net';
import { bearer } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { eventually } from '../harness/eventually';
import { connectTestClient, startTestWorker, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';

export interface World extends ApiContext {
  taskQueue: string;
  worker: RunningWorker | null;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  temporalClient: Awaited<ReturnType<typeof connectTestClient>>['client'];
}

export async function startWorld(opts: { overrides?: Record<string, string>; worker?: boolean } = {}): Promise<World> {
  const taskQueue = uniqueTaskQueue('dedup-import');
  const ctx = await createApiContext({ TEMPORAL_TASK_QUEUE: taskQueue, ...opts.overrides });
  const temporal = await connectTestClient();
  const world: World = {
    ...ctx,
    taskQueue,
    worker: null,
    temporalClient: temporal.client,
    async startWorker() {
      world.worker = await startTestWorker({ taskQueue, deps: { db: ctx.tdb.db, config: ctx.config, temporal: temporal.client } });
    },
    async stopWorker() {
      await world.worker?.stop();
      world.worker = null;
    },
    close: async () => {
      await world.stopWorker();
      await temporal.close();
      await ctx.close();
    },
  };
  if (opts.worker !== false) await world.startWorker();
  return world;
}

/** Uploads CSV text (or bytes) as text/csv; `query` holds the options (onExisting, dryRun, mapping, …). */
export function uploadCsv(app: FastifyInstance, key: string, csv: string | Buffer, query: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const qs = new URLSearchParams(query).toString();
  return app.inject({ method: 'POST', url: `/v1/imports${qs ? `?${qs}` : ''}`, headers: { ...bearer(key), 'content-type': 'text/csv' }, payload: csv });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test fixtures read response bodies loosely
export type Json = any;

/** Polls the import until it has finished (completed, cancelled or failed). */
export async function finishedImport(app: FastifyInstance, key: string, id: string, timeoutMs = 60_000): Promise<Json> {
  return eventually(async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/imports/${id}`, headers: bearer(key) });
    const body = res.json<Json>();
    return ['completed', 'cancelled', 'failed'].includes(body.status) ? body : undefined;
  }, `import ${id} to finish`, timeoutMs, 100);
}

/** Uploads and waits; fails loudly when the upload is not accepted. */
export async function importCsv(app: FastifyInstance, key: string, csv: string | Buffer, query: Record<string, string> = {}): Promise<Json> {
  const res = await uploadCsv(app, key, csv, query);
  if (res.statusCode !== 202) throw new Error(`upload → ${res.statusCode}: ${res.body}`);
  return finishedImport(app, key, res.json<Json>().id);
}

export async function importErrors(app: FastifyInstance, key: string, id: string): Promise<Json[]> {
  const res = await app.inject({ method: 'GET', url: `/v1/imports/${id}/errors?limit=1000`, headers: bearer(key) });
  return res.json<Json>().items;
}

export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}
