/**
 * The erasure tests' world: a fresh database and API, the real Books and PSA emulators, an SMTP sink,
 * and (optionally) an in-process worker with the service's activities, all on one task queue.
 */
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBooksClient, type BooksClient } from '../../integrations/books/client';
import { startSmtpSink, type SmtpSink } from '../../scripts/smtp-sink';
import { callJson } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { eventually } from '../harness/eventually';
import { connectTestClient, startTestWorker, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';
import { startBooksEmulator, type BooksEmulator } from '../emulators/books/books-emulator';
import { startPsaEmulator, type PsaEmulator } from '../emulators/psa-emulator';

export const BOOKS_KEY = 'books-test-key';
export const PSA_KEY = 'psa-test-key';
export const CRM_KEY = 'crm-test-key';

export interface ErasureWorld {
  ctx: ApiContext;
  temporal: { client: Client; close(): Promise<void> };
  books: BooksEmulator;
  booksClient: BooksClient;
  psa: PsaEmulator;
  sink: SmtpSink;
  mailDir: string;
  taskQueue: string;
  worker?: RunningWorker;
  startWorker(): Promise<RunningWorker>;
  close(): Promise<void>;
}

export async function createErasureWorld(opts: { name: string; worker?: boolean; config?: Record<string, string> }): Promise<ErasureWorld> {
  const taskQueue = uniqueTaskQueue(opts.name);
  const books = await startBooksEmulator({ apiKey: BOOKS_KEY });
  const psa = await startPsaEmulator({ psaIntegrationKey: PSA_KEY, crmIntegrationKey: CRM_KEY, webhookDelivery: 'manual', confirmationDelayMs: 0 });
  const mailDir = await fs.mkdtemp(path.join(os.tmpdir(), `erasure-${opts.name}-`));
  const sink = await startSmtpSink({ port: 0, dir: mailDir });
  const ctx = await createApiContext({
    TEMPORAL_TASK_QUEUE: taskQueue,
    BOOKS_API_URL: books.url,
    BOOKS_API_KEY: BOOKS_KEY,
    PSA_API_URL: psa.url,
    PSA_INTEGRATION_KEY: PSA_KEY,
    CRM_INTEGRATION_KEY: CRM_KEY,
    ERASURE_ENROLLMENT_STOP_TIMEOUT: 'PT20S',
    ...opts.config,
  });
  const temporal = await connectTestClient();
  const world: ErasureWorld = {
    ctx,
    temporal,
    books,
    booksClient: createBooksClient({ baseUrl: books.url, apiKey: BOOKS_KEY, retries: 0 }),
    psa,
    sink,
    mailDir,
    taskQueue,
    async startWorker() {
      world.worker = await startTestWorker({ deps: { db: ctx.tdb.db, config: ctx.config, temporal: temporal.client }, taskQueue });
      return world.worker;
    },
    async close() {
      await world.worker?.stop();
      await sink.close();
      await books.close();
      await psa.close();
      await temporal.close();
      await ctx.close();
      await fs.rm(mailDir, { recursive: true, force: true });
    },
  };
  if (opts.worker !== false) await world.startWorker();
  return world;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are read loosely in tests

/** POST /v1/erasure-requests with the compliance key; returns the request (202 expected unless told). */
export async function requestErasure(world: ErasureWorld, body: Record<string, unknown>, expected = 202): Promise<Json> {
  return callJson(world.ctx.app, world.ctx.keys.compliance, 'POST', '/v1/erasure-requests', body, expected);
}

export async function getErasure(world: ErasureWorld, id: string): Promise<Json> {
  return callJson(world.ctx.app, world.ctx.keys.compliance, 'GET', `/v1/erasure-requests/${id}`, undefined, 200);
}

/** Waits until the request has `status` (fails fast, showing its steps, when it failed instead). */
export async function awaitErasure(world: ErasureWorld, id: string, status: 'completed' | 'waiting' | 'failed' = 'completed', timeoutMs = 90_000): Promise<Json> {
  return eventually(async () => {
    const r = await getErasure(world, id);
    if (r.status === 'failed' && status !== 'failed') throw new Error(`erasure ${id} failed: ${JSON.stringify(r.steps)}`);
    return r.status === status ? r : undefined;
  }, `erasure ${id} to be ${status}`, timeoutMs, 200);
}

/** An active sequence through the API on an SMTP mailbox into the world's sink. */
export async function activeSequence(world: ErasureWorld, steps: Array<Record<string, unknown>>, name = 'Erasure test'): Promise<{ sequenceId: string; stepIds: string[] }> {
  const { app, keys } = world.ctx;
  const mailbox = await callJson(app, keys.admin, 'POST', '/v1/mailboxes', { provider: 'smtp', address: `sales-${Math.random().toString(36).slice(2, 8)}@crm.test`, displayName: 'Sales', connected: true, syncEnabled: true, dailyLimit: 100_000, perMinuteLimit: 100_000, smtp: { host: '127.0.0.1', port: world.sink.port, secure: false } }, 201);
  const sequence = await callJson(app, keys.admin, 'POST', '/v1/sequences', { name, mailboxId: mailbox.id, steps, sendWindow: null }, 201);
  await callJson(app, keys.admin, 'POST', `/v1/sequences/${sequence.id}/activate`, undefined, 200);
  return { sequenceId: sequence.id, stepIds: (sequence.steps as { id: string }[]).map((s) => s.id) };
}

export async function enroll(world: ErasureWorld, sequenceId: string, contactId: string): Promise<string> {
  const { results } = await callJson(world.ctx.app, world.ctx.keys.admin, 'POST', `/v1/sequences/${sequenceId}/enrollments`, { contactIds: [contactId] }, 200);
  const [r] = results as Array<{ status: string; enrollmentId?: string; reasons: string[] }>;
  if (r?.status !== 'enrolled') throw new Error(`enrollment rejected: ${JSON.stringify(r)}`);
  return r.enrollmentId!;
}

/** Every table, every column as text: the "dump" the no-personal-data checks search. */
export async function dumpDatabase(db: Db): Promise<Array<{ table: string; text: string }>> {
  const tables = await sql<{ t: string }>`select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(db);
  const out: Array<{ table: string; text: string }> = [];
  for (const { t } of tables.rows) {
    const { rows } = await sql<{ row: string }>`select (x.*)::text as row from ${sql.table(t)} x`.execute(db);
    out.push({ table: t, text: rows.map((r) => r.row).join('\n') });
  }
  return out;
}

/** The tables (and how often) where any of `needles` occurs, case-insensitively. */
export function findIn(dump: Array<{ table: string; text: string }>, needles: readonly string[]): string[] {
  const lower = needles.map((n) => n.toLowerCase());
  return dump.flatMap(({ table, text }) => lower.filter((n) => text.toLowerCase().includes(n)).map((n) => `${table}: ${n}`));
}
