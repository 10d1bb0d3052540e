import { Client } from 'pg';
import { sql } from 'kysely';
import { createDatabase } from '../../db/database';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { harnessEnv } from '../harness/harness-env';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(() => tdb.drop());

describe('database pool', () => {
  it('survives an idle connection being terminated by the server: reports it and reconnects', async () => {
    const lost: string[] = [];
    const db = createDatabase(tdb.url, { max: 1, onIdleConnectionError: (err) => lost.push(err.message) });
    try {
      const before = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
      const pid = before.rows[0]!.pid;

      const admin = new Client({ connectionString: harnessEnv('TEST_PG_ADMIN_URL') });
      await admin.connect();
      try {
        await admin.query('select pg_terminate_backend($1)', [pid]);
      } finally {
        await admin.end();
      }
      for (let i = 0; i < 50 && lost.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(lost).toEqual([expect.stringContaining('terminating connection')]);

      const after = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
      expect(after.rows[0]!.pid).not.toBe(pid);
    } finally {
      await db.destroy();
    }
  });
});
