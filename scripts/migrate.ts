import { createDatabase } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { loadConfig, requireSetting } from '../domain/config';

/** `npm run migrate`: applies pending migrations to DATABASE_URL. */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = createDatabase(requireSetting(config, 'DATABASE_URL'), { max: 1 });
  try {
    const results = await migrateToLatest(db);
    for (const r of results) console.log(`${r.status.padEnd(7)} ${r.migrationName}`);
    if (results.length === 0) console.log('up to date');
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
