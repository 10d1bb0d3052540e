/**
 * An import run applies its batches two at a time (services/imports/apply-lanes.ts): the next batch
 * reads, decides and writes while the one before it is still open, and commits only after it, at the
 * cursor it left. A follower whose predecessor failed, stopped or did not move the cursor rolls back:
 * no row is applied twice or skipped. Imports still apply one at a time.
 */
import { sql } from 'kysely';
import { applyFollowingBatch, applyNextBatch, prepareImport, type BatchOptions, type BatchOutcome } from '../../services/imports/apply-batch';
import { applyBatches } from '../../services/imports/apply-lanes';
import { TEST_ERASURE_HASH_SECRET } from '../harness/config';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { eventually } from '../harness/eventually';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(() => tdb.drop());

const BATCH = 3;

async function stagedImport(emails: string[]): Promise<string> {
  const { id } = await tdb.db.insertInto('imports').values({ status: 'queued', dry_run: false, on_existing: 'update', requested_role: 'admin', total_rows: emails.length }).returning('id').executeTakeFirstOrThrow();
  await tdb.db
    .insertInto('import_rows')
    .values(emails.map((email, i) => ({ import_id: id, row_no: i + 2, email, email_normalized: email, first_name: `F${i}` })))
    .execute();
  expect(await prepareImport(tdb.db, id)).toBe('running');
  return id;
}

const addresses = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}@lanes.example`);
const options = (id: string, batchSize = BATCH): BatchOptions => ({ batchSize, erasureSecret: TEST_ERASURE_HASH_SECRET, actor: `import:${id}` });

async function createdRows(id: string): Promise<number[]> {
  const logged = await tdb.db.selectFrom('activities').select('data').where('type', '=', 'contact_created').where('actor', '=', `import:${id}`).execute();
  return logged.map((a) => (a.data as { row: number }).row).sort((a, b) => a - b);
}

const cursorOf = async (id: string) => (await tdb.db.selectFrom('imports').select(['applied_through', 'processed', 'status']).where('id', '=', id).executeTakeFirstOrThrow());

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

it('applies every row once, batch by batch, and completes the import', async () => {
  const id = await stagedImport(addresses('all', 8));
  const outcome = await applyBatches(tdb.db, id, { ...options(id), keepGoing: () => true });
  expect(outcome).toEqual({ state: 'done', appliedThrough: 9, processed: 8 });
  expect(await createdRows(id)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  expect(await cursorOf(id)).toEqual({ applied_through: 9, processed: 8, status: 'completed' });
  expect(await tdb.db.selectFrom('import_rows').select('row_no').where('import_id', '=', id).execute()).toEqual([]);
});

it('stops between batches when asked, and the next run resumes at the cursor', async () => {
  const id = await stagedImport(addresses('budget', 8));
  let asked = 0;
  // One batch, then no more: the run ends with the cursor after that batch.
  expect(await applyBatches(tdb.db, id, { ...options(id), keepGoing: () => ++asked < 1 })).toEqual({ state: 'more', appliedThrough: 4, processed: 3 });
  expect(await applyBatches(tdb.db, id, { ...options(id), keepGoing: () => true })).toMatchObject({ state: 'done', processed: 8 });
  expect(await createdRows(id)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
});

it('a following batch writes while the batch before it is open and commits only after it', async () => {
  const id = await stagedImport(addresses('follow', 6));
  expect(await applyNextBatch(tdb.db, id, options(id))).toMatchObject({ state: 'more', appliedThrough: 4 });
  const previous = deferred<BatchOutcome>();
  const follower = applyFollowingBatch(tdb.db, id, 4, previous.promise, options(id));
  // Its rows are written and its transaction waits for the one before it.
  await eventually(async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where state = 'idle in transaction' and query like '%insert into contacts%'`.execute(tdb.db);
    return rows[0]!.n > 0 ? true : undefined;
  }, 'the following batch to have written its rows');
  expect(await createdRows(id)).toEqual([2, 3, 4]);
  expect((await cursorOf(id)).applied_through).toBe(4);

  previous.resolve({ state: 'more', appliedThrough: 4, processed: 3 });
  expect(await follower).toEqual({ state: 'done', appliedThrough: 7, processed: 6 });
  expect(await createdRows(id)).toEqual([2, 3, 4, 5, 6, 7]);
});

it('a following batch rolls back when the batch before it failed, stopped or left the cursor elsewhere', async () => {
  const id = await stagedImport(addresses('rollback', 6));
  // The batch before it failed: nothing of this one is kept.
  expect(await applyFollowingBatch(tdb.db, id, 4, Promise.reject(new Error('connection lost')), options(id))).toBeNull();
  // The batch before it stopped the import (cancelled).
  expect(await applyFollowingBatch(tdb.db, id, 4, Promise.resolve({ state: 'cancelled', appliedThrough: 1, processed: 0 }), options(id))).toBeNull();
  // It says it committed rows 2–4, but the cursor is not there (it is still at 1): rows 2–4 are not applied.
  expect(await applyFollowingBatch(tdb.db, id, 4, Promise.resolve({ state: 'more', appliedThrough: 4, processed: 3 }), options(id))).toBeNull();
  expect(await createdRows(id)).toEqual([]);
  expect(await cursorOf(id)).toEqual({ applied_through: 1, processed: 0, status: 'running' });

  // From the cursor, every row is applied once.
  expect(await applyBatches(tdb.db, id, { ...options(id), keepGoing: () => true })).toMatchObject({ state: 'done', processed: 6 });
  expect(await createdRows(id)).toEqual([2, 3, 4, 5, 6, 7]);
});

it('a following batch does not commit into an import cancelled meanwhile', async () => {
  const id = await stagedImport(addresses('cancel', 6));
  const first = await applyNextBatch(tdb.db, id, options(id));
  expect(first).toMatchObject({ state: 'more', appliedThrough: 4 });
  await tdb.db.updateTable('imports').set({ status: 'cancelling' }).where('id', '=', id).execute();
  expect(await applyFollowingBatch(tdb.db, id, 4, Promise.resolve(first), options(id))).toBeNull();
  expect(await applyBatches(tdb.db, id, { ...options(id), keepGoing: () => true })).toMatchObject({ state: 'cancelled', appliedThrough: 4 });
  expect(await createdRows(id)).toEqual([2, 3, 4]);
});

it('two imports of the same new addresses, run at once, create each address once', async () => {
  const emails = addresses('both', 200);
  const [a, b] = [await stagedImport(emails), await stagedImport(emails)];
  const [ra, rb] = await Promise.all([a, b].map((id) => applyBatches(tdb.db, id, { ...options(id, 20), keepGoing: () => true })));
  expect([ra!.state, rb!.state]).toEqual(['done', 'done']);
  const contacts = await tdb.db.selectFrom('contacts').select('email_normalized').where('email_normalized', 'like', 'both%').execute();
  expect(contacts).toHaveLength(200);
  const counts = await tdb.db.selectFrom('imports').select(['created', 'updated', 'unchanged']).where('id', 'in', [a, b]).execute();
  expect(counts.reduce((n, c) => n + c.created, 0)).toBe(200);
});
