import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { eventually } from '../harness/eventually';
import { uniqueTaskQueue } from '../harness/temporal';
import { workerProcesses } from '../harness/worker-process';
import { writeBigCsv } from './big-file';
import { finishedImport, uploadCsv } from './world';

/**
 * Crash test with real processes: the worker applying an import is SIGKILLed mid-import (mid-batch,
 * most likely) and replaced. The import resumes at the next uncommitted batch: every row is applied
 * exactly once — one contact per address, one activity and one error entry per row, counters that add up.
 */
jest.setTimeout(180_000);
const ROWS = 60_000;

let ctx: ApiContext;
let dir: string;
const workers = workerProcesses();
const taskQueue = uniqueTaskQueue('import-crash');
const startWorker = () => workers.start({ DATABASE_URL: ctx.tdb.url, TEMPORAL_TASK_QUEUE: taskQueue, ERASURE_HASH_SECRET: ctx.config.ERASURE_HASH_SECRET, IMPORT_BATCH_SIZE: '200' });

beforeAll(async () => {
  ctx = await createApiContext({ TEMPORAL_TASK_QUEUE: taskQueue });
  dir = mkdtempSync(path.join(os.tmpdir(), 'crm-import-crash-'));
});
afterAll(async () => {
  await workers.killAll();
  await ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a worker SIGKILLed mid-import is replaced and the import completes with no row applied twice', async () => {
  const file = path.join(dir, 'crash.csv');
  const expected = await writeBigCsv(file, ROWS, 'crash.example');
  const upload = await uploadCsv(ctx.app, ctx.keys.admin, readFileSync(file));
  expect(upload.statusCode).toBe(202);
  const id = upload.json<{ id: string }>().id;
  const progress = async () => (await ctx.tdb.db.selectFrom('imports').select(['processed', 'status']).where('id', '=', id).executeTakeFirstOrThrow());

  const first = await startWorker();
  const atKill = await eventually(async () => {
    const p = await progress();
    return p.processed >= 2_000 ? p : undefined;
  }, 'the import to be under way', 60_000, 10);
  first.kill('SIGKILL');
  await workers.exited(first);
  const afterKill = await progress();
  expect(afterKill.processed).toBeLessThan(ROWS);
  expect(atKill.status).toBe('running');

  const second = await startWorker();
  const done = await finishedImport(ctx.app, ctx.keys.operator, id, 150_000);
  second.kill('SIGTERM');
  await workers.exited(second);

  expect(done).toMatchObject({ status: 'completed', progress: { total: ROWS, processed: ROWS, created: expected.unique, failed: expected.bad + expected.duplicates } });
  const contacts = await ctx.tdb.db.selectFrom('contacts').select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.count<string>('email_normalized').distinct().as('distinct')]).executeTakeFirstOrThrow();
  expect(contacts).toEqual({ n: String(expected.unique), distinct: String(expected.unique) });
  const logged = await sql<{ n: string; rows: string }>`select count(*)::text as n, count(distinct data->>'row')::text as rows from activities where data->>'importId' = ${id}`.execute(ctx.tdb.db);
  expect(logged.rows[0]).toEqual({ n: String(expected.unique), rows: String(expected.unique) });
  const errors = await sql<{ n: string; rows: string }>`select count(*)::text as n, count(distinct row_no)::text as rows from import_errors where import_id = ${id}`.execute(ctx.tdb.db);
  expect(errors.rows[0]).toEqual({ n: String(expected.bad + expected.duplicates), rows: String(expected.bad + expected.duplicates) });
});
