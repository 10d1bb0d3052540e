import { Kysely, PostgresDialect } from 'kysely';
import { Pool, types } from 'pg';
import type { Database } from './schema';

// BIGINT ids (activities, audit log) stay strings: they can exceed 2^53.
types.setTypeParser(types.builtins.INT8, (v) => v);

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  max?: number;
  /**
   * Called when an idle pooled connection dies (server restart, admin terminate, network cut).
   * The pool has already discarded it and opens a new one on demand, so this is a warning, never
   * a crash: without a listener, node would throw the pool's 'error' event and kill the process.
   */
  onIdleConnectionError?: (err: Error) => void;
}

const warnIdleConnectionError = (err: Error) =>
  console.warn(JSON.stringify({ level: 40, msg: 'idle database connection lost; the pool will reconnect', err: err.message }));

const pools = new WeakMap<Db, Pool>();

export function createDatabase(connectionString: string, opts: DatabaseOptions = {}): Db {
  const pool = new Pool({ connectionString, max: opts.max ?? 10 });
  pool.on('error', opts.onIdleConnectionError ?? warnIdleConnectionError);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}

/** The pg pool behind a database, for what kysely cannot do (COPY streams: services/imports/stage-upload.ts). */
export function poolOf(db: Db): Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('poolOf: this database was not created by createDatabase');
  return pool;
}
