/**
 * The import's batch step reads the next rows ahead while a batch writes: a read-ahead that does not
 * start at the import's cursor (stale, or failed) is not used — no row is applied twice or skipped.
 */
import { applyNextBatch, prepareImport, type BatchOptions } from '../../services/imports/apply-batch';
import { readStagedBatch } from '../../services/imports/staged-batch';
import { TEST_ERASURE_HASH_SECRET } from '../harness/config';
import { createTestDatabase, type TestDatabase } from '../harness/database';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(() => tdb.drop());

const BATCH = 3;

async function stagedImport(prefix: string, rows: number): Promise<string> {
  const { id } = await tdb.db.insertInto('imports').values({ status: 'queued', dry_run: false, on_existing: 'update', requested_role: 'admin', total_rows: rows }).returning('id').executeTakeFirstOrThrow();
  const emails = Array.from({ length: rows }, (_, i) => `${prefix}${i}@ahead.example`);
  await tdb.db
    .insertInto('import_rows')
    .values(emails.map((email, i) => ({ import_id: id, row_no: i + 2, email, email_normalized: email, first_name: `F${i}` })))
    .execute();
  expect(await prepareImport(tdb.db, id)).toBe('running');
  return id;
}

const options = (id: string, more: Partial<BatchOptions> = {}): BatchOptions => ({ batchSize: BATCH, erasureSecret: TEST_ERASURE_HASH_SECRET, actor: `import:${id}`, ...more });

async function createdRows(id: string): Promise<number[]> {
  const logged = await tdb.db.selectFrom('activities').select('data').where('type', '=', 'contact_created').where('actor', '=', `import:${id}`).execute();
  return logged.map((a) => (a.data as { row: number }).row).sort((a, b) => a - b);
}

it('offers the next rows for reading ahead and uses them when they start at the cursor', async () => {
  const id = await stagedImport('used', 7);
  const asked: number[] = [];
  let ahead: ReturnType<typeof readStagedBatch> | undefined;
  const readAhead = (after: number) => {
    asked.push(after);
    ahead = readStagedBatch(tdb.db, id, after, BATCH, TEST_ERASURE_HASH_SECRET);
  };
  expect(await applyNextBatch(tdb.db, id, options(id, { readAhead }))).toMatchObject({ state: 'more', appliedThrough: 4 });
  expect(await applyNextBatch(tdb.db, id, options(id, { ahead, readAhead }))).toMatchObject({ state: 'more', appliedThrough: 7 });
  expect(await applyNextBatch(tdb.db, id, options(id, { ahead, readAhead }))).toMatchObject({ state: 'done', appliedThrough: 8, processed: 7 });
  // The last batch (one row, fewer than a batch) offers nothing more.
  expect(asked).toEqual([4, 7]);
  expect(await createdRows(id)).toEqual([2, 3, 4, 5, 6, 7, 8]);
});

it('ignores a read-ahead of rows already applied, and one that failed: each row is applied once', async () => {
  const id = await stagedImport('stale', 7);
  const first = readStagedBatch(tdb.db, id, 1, BATCH, TEST_ERASURE_HASH_SECRET);
  expect(await applyNextBatch(tdb.db, id, options(id, { ahead: first }))).toMatchObject({ state: 'more', appliedThrough: 4 });
  // The same rows 2–4 again, as a stale read-ahead would hold them: the batch reads rows 5–7 itself.
  const stale = readStagedBatch(tdb.db, id, 1, BATCH, TEST_ERASURE_HASH_SECRET);
  expect(await applyNextBatch(tdb.db, id, options(id, { ahead: stale }))).toMatchObject({ state: 'more', appliedThrough: 7 });
  expect(await applyNextBatch(tdb.db, id, options(id, { ahead: Promise.reject(new Error('connection lost')) }))).toMatchObject({ state: 'done', processed: 7 });
  expect(await createdRows(id)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  const contacts = await tdb.db.selectFrom('contacts').select('email').where('email', 'like', 'stale%').execute();
  expect(contacts).toHaveLength(7);
});
