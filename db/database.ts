import { Kysely, PostgresDialect } from 'kysely';
import { Pool, types } from 'pg';
import type { Database } from './schema';

// BIGINT ids (activities, audit log) stay strings: they can exceed 2^53.
types.setTypeParser(types.builtins.INT8, (v) => v);
// DATE columns (calendar days) stay 'YYYY-MM-DD': a JavaScript Date would shift them by the time zone.
types.setTypeParser(types.builtins.DATE, (v) => v);

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
  // The pool listens to idle connections only. A checked-out one (e.g. in a transaction between two
  // statements) that the server terminates emits 'error' on itself, which would kill the process
  // (PostgreSQL restarting took the API and the workers down). Its query, or the next one, fails
  // instead, and the pool discards it on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
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
