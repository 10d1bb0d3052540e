/**
 * Planner statistics for tables a first load fills: it writes 100,000 rows in seconds, long before
 * autovacuum's next analyze, and with the statistics of the empty table the planner answers each
 * page's email and id lookups by reading every record of the connector (a scan that grows with each
 * page) instead of probing the indexes. Analyzing once, as soon as such a table has a few thousand rows,
 * is enough: the distribution a load writes does not change as it grows, and the planner scales
 * the statistics to the table's current size.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';

/** Tables whose statistics describe fewer rows than this are "empty"… */
const EMPTY_BELOW = 1_000;
/** …and are analyzed once this many rows have changed since. */
const MIN_CHANGES = 2_000;

export async function analyzeFilledTables(db: Db, tables: readonly string[]): Promise<void> {
  const { rows } = await sql<{ relname: string }>`
    select s.relname from pg_stat_user_tables s join pg_class c on c.oid = s.relid
    where s.schemaname = current_schema() and s.relname = any(${tables}::text[])
      and c.reltuples < ${EMPTY_BELOW} and s.n_mod_since_analyze >= ${MIN_CHANGES}`.execute(db);
  for (const { relname } of rows) {
    try {
      await db.transaction().execute(async (tx) => {
        // Never wait behind autovacuum (or another analyze) holding the table: the statistics can wait.
        await sql`set local lock_timeout = '200ms'`.execute(tx);
        await sql`analyze ${sql.table(relname)}`.execute(tx);
      });
    } catch {
      // Only an optimisation: the load goes on with the statistics it has.
    }
  }
}
