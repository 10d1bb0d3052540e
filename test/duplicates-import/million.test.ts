import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { finishedImport, importErrors, listen, startWorld, type World } from './world';
import { uploadFile, writeBigCsv } from './big-file';

/**
 * A 1,000,000-row file (≈ 60 MB) with 1 % bad rows and 2 % in-file duplicates, uploaded as a stream to
 * the listening API, staged with COPY, applied in batches by the workflow: every row accounted for once.
 */
// About 35 s alone, a few minutes under the full suite on 2 cores (the cluster project's chaos test may
// run beside it): the bound is about correctness at scale, not speed (the benchmark measures that), so
// it is generous.
jest.setTimeout(1_500_000);
const ROWS = Number(process.env.MILLION_ROWS ?? 1_000_000);

// A full collection on demand: heap "used" without one is mostly garbage, and how much depends on when
// V8 last collected (this worker's earlier test files decide that), not on what the upload keeps.
v8.setFlagsFromString('--expose_gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
const liveHeap = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

/** How far the live heap (after a full collection) rose above its start while `work` ran, sampled every 2 s (a full collection of a Jest worker's heap takes ~0.3 s). */
async function liveHeapRise<T>(work: () => Promise<T>): Promise<{ result: T; rise: number }> {
  const before = liveHeap();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, liveHeap())), 2_000);
  try {
    const result = await work();
    return { result, rise: Math.max(peak, liveHeap()) - before };
  } finally {
    clearInterval(timer);
  }
}

let w: World;
let dir: string;
beforeAll(async () => {
  w = await startWorld();
  dir = mkdtempSync(path.join(os.tmpdir(), 'crm-million-'));
});
afterAll(async () => {
  await w?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('imports 1,000,000 rows: 970,000 created, 10,000 INVALID_EMAIL, 20,000 IMPORT_DUPLICATE_EMAIL', async () => {
  const file = path.join(dir, 'million.csv');
  const expected = await writeBigCsv(file, ROWS, 'million.example');
  const baseUrl = await listen(w.app);
  const started = Date.now();
  const { result: upload, rise } = await liveHeapRise(() => uploadFile(baseUrl, w.keys.admin, file));
  const uploadMs = Date.now() - started;
  expect(upload.status).toBe(202);
  expect(upload.body).toMatchObject({ status: 'queued', progress: { total: ROWS } });
  // Streamed: the 60 MB file never sat in the API's heap (rows, strings). Peak live heap, not "used".
  expect(rise).toBeLessThan(50 * 1024 * 1024);

  const done = await finishedImport(w.app, w.keys.operator, upload.body.id, 1_200_000);
  console.log(`[million] upload + COPY ${uploadMs} ms, total ${Date.now() - started} ms, ${done.progress.rowsPerSecond} rows/s applied`);
  expect(done).toMatchObject({ status: 'completed', progress: { total: ROWS, processed: ROWS, created: expected.unique, updated: 0, failed: expected.bad + expected.duplicates } });
  const counts = await w.tdb.db
    .selectFrom('import_errors')
    .select(['code', (eb) => eb.fn.countAll<string>().as('n')])
    .where('import_id', '=', done.id)
    .groupBy('code')
    .orderBy('code')
    .execute();
  expect(counts).toEqual([{ code: 'IMPORT_DUPLICATE_EMAIL', n: String(expected.duplicates) }, { code: 'INVALID_EMAIL', n: String(expected.bad) }]);
  const contacts = await w.tdb.db.selectFrom('contacts').select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.count<string>('email_normalized').distinct().as('distinct')]).executeTakeFirstOrThrow();
  expect(contacts).toEqual({ n: String(expected.unique), distinct: String(expected.unique) });
  const sample = await importErrors(w.app, w.keys.operator, done.id);
  expect(sample[0]).toMatchObject({ row: 27, code: 'IMPORT_DUPLICATE_EMAIL', otherRow: 26 });
});
