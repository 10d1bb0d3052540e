import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDatabase, type Db } from '../../db/database';
import { TEMPLATE_DB, harnessEnv } from './harness-env';

/** A fresh, migrated database for one test file, cloned from the template in milliseconds. */
export interface TestDatabase {
  db: Db;
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: harnessEnv('TEST_PG_ADMIN_URL') });
  await admin.connect();
  try {
    // Two files cloning the template at the same moment can collide; a short retry settles it.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${TEMPLATE_DB}`);
        break;
      } catch (err) {
        if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await admin.end();
  }
  const url = harnessEnv('TEST_PG_URL_TEMPLATE').replace('__DB__', name);
  // The drop below terminates connections the pool is still closing (pg's pool.end() resolves before
  // its sockets close); that is expected at teardown, not a warning worth printing.
  let dropping = false;
  const db = createDatabase(url, {
    max: 10,
    onIdleConnectionError: (err) => {
      if (!dropping) console.warn(`[test db ${name}] idle connection lost: ${err.message}`);
    },
  });
  return {
    db,
    url,
    name,
    drop: async () => {
      dropping = true;
      await db.destroy();
      const c = new Client({ connectionString: harnessEnv('TEST_PG_ADMIN_URL') });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
