import { Kysely, PostgresDialect } from 'kysely';
import { Pool, types } from 'pg';
import type { Database } from './schema';

// BIGINT ids (activities, audit log) stay strings: they can exceed 2^53.
types.setTypeParser(types.builtins.INT8, (v) => v);

export type Db = Kysely<Database>;

export function createDatabase(connectionString: string, opts: { max?: number } = {}): Db {
  const pool = new Pool({ connectionString, max: opts.max ?? 10 });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
