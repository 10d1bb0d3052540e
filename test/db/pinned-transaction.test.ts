/** COPY inside a kysely transaction: the copied rows commit with it, or vanish with its rollback; the connection goes back to the pool. */
import { copyRows } from '../../db/copy-writer';
import { poolOf } from '../../db/database';
import { pinnedTransaction } from '../../db/pinned-transaction';
import { createTestDatabase, type TestDatabase } from '../harness/database';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(() => tdb.drop());

const COPY = 'COPY companies (name, external_ids) FROM STDIN';
const named = (prefix: string) => tdb.db.selectFrom('companies').select('name').where('name', 'like', `${prefix}%`).orderBy('name').execute();

it('rows copied in the transaction commit together with its statements, tabs and backslashes intact', async () => {
  await pinnedTransaction(tdb.db, async (tx, client) => {
    await tx.insertInto('companies').values({ name: 'pin-a statement', external_ids: '{}' }).execute();
    expect(await copyRows(client, COPY, [['pin-b\tcopied \\ one', '{}'], ['pin-c copied', '{}']])).toBe(2);
    // The transaction sees its own copied rows before the commit.
    expect((await tx.selectFrom('companies').select('name').where('name', 'like', 'pin-%').execute()).length).toBe(3);
  });
  expect((await named('pin-')).map((r) => r.name)).toEqual(['pin-a statement', 'pin-b\tcopied \\ one', 'pin-c copied']);
});

it('a failure after the COPY rolls the copied rows back too, and the connection is released', async () => {
  const pool = poolOf(tdb.db);
  await expect(
    pinnedTransaction(tdb.db, async (_tx, client) => {
      await copyRows(client, COPY, [['undo-a', '{}']]);
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  await expect(pinnedTransaction(tdb.db, async (_tx, client) => copyRows(client, COPY, [['undo-b', null]]))).rejects.toThrow(/null value/);
  expect(await named('undo-')).toEqual([]);
  expect(pool.totalCount - pool.idleCount).toBe(0);
});
