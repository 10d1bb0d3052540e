import type { Db } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { ensureDevApiKeys } from './dev-api-keys';

/** Migrations, then one development API key per role if the database has none. */
export async function prepareAppDatabase(db: Db, keysFile: string, log: (msg: string) => void): Promise<'created' | 'existing'> {
  const applied = await migrateToLatest(db);
  log(applied.length ? `applied migrations: ${applied.map((m) => m.migrationName).join(', ')}` : 'database schema up to date');
  return ensureDevApiKeys(db, keysFile);
}
