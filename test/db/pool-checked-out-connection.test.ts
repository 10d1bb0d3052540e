import { sql } from 'kysely';
import { Client } from 'pg';
import { createDatabase } from '../../db/database';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { harnessEnv } from '../harness/harness-env';

/**
 * A connection the server terminates while it is checked out (here: inside a transaction, between two
 * statements, as PostgreSQL's fast shutdown does to every session) must fail that transaction, not
 * the process: the chaos test on the cluster found the API and the workers dying of it.
 */
let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(() => tdb.drop());

it('a connection terminated inside a transaction fails the transaction, and the pool goes on', async () => {
  const db = createDatabase(tdb.url, { max: 1, onIdleConnectionError: () => undefined });
  const uncaught: Error[] = [];
  const onUncaught = (err: Error) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const transaction = db.transaction().execute(async (tx) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
      const admin = new Client({ connectionString: harnessEnv('TEST_PG_ADMIN_URL') });
      await admin.connect();
      try {
        await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      } finally {
        await admin.end();
      }
      // The termination arrives while the connection is idle in the transaction.
      await new Promise((r) => setTimeout(r, 200));
      await sql`select 1`.execute(tx);
    });
    await expect(transaction).rejects.toThrow();
    expect(uncaught).toEqual([]);
    const after = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(after.rows).toEqual([{ one: 1 }]);
  } finally {
    process.off('uncaughtException', onUncaught);
    await db.destroy();
  }
});
