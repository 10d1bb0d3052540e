/** COPY inside a kysely transaction: the copied rows commit with it, or vanish with its rollback; the connection goes back to the pool. */
import { copyJson, copyLines, copyRows, copyText } from '../../db/copy-writer';
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

it('JSON values through copyJson arrive as written (backslashes, quotes, line breaks, tabs); lines beyond a chunk (256 k characters) too', async () => {
  const custom = { path: 'C:\\dir\\file', quote: 'say "hi"', lines: 'one\ntwo\tthree', emoji: 'café ☕' };
  const lines = Array.from({ length: 3_000 }, (_, i) => `${copyText(`json-${String(i).padStart(4, '0')}`)}\t${copyJson(i === 0 ? custom : { i, pad: 'x'.repeat(100) })}\n`);
  expect(copyJson(null)).toBe('\\N');
  await pinnedTransaction(tdb.db, async (_tx, client) => expect(await copyLines(client, 'COPY companies (name, custom_fields) FROM STDIN', lines)).toBe(3_000));
  const rows = await tdb.db.selectFrom('companies').select(['name', 'custom_fields']).where('name', 'like', 'json-%').orderBy('name').execute();
  expect(rows).toHaveLength(3_000);
  expect(rows[0]!.custom_fields).toEqual(custom);
  expect(rows[2_999]!.custom_fields).toEqual({ i: 2_999, pad: 'x'.repeat(100) });
});
