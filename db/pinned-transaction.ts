/**
 * A kysely transaction on a pg connection the caller can also use directly, for what kysely cannot do
 * inside a transaction (COPY … FROM STDIN in the same commit as the transaction's statements). The import
 * used it to COPY its new contacts; it now builds them from the staged rows in SQL
 * (services/imports/batch-writes.ts). A CRM sync full load COPYs the rows of each page it only adds
 * (services/sync/load-copy.ts).
 */
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import type { PoolClient } from 'pg';
import { poolOf, type Db } from './database';
import type { Database } from './schema';

export async function pinnedTransaction<T>(db: Db, fn: (tx: Transaction<Database>, client: PoolClient) => Promise<T>): Promise<T> {
  const client = await poolOf(db).connect();
  let handedOver = false;
  // A one-connection "pool": kysely takes this client for the transaction and releases it to the real pool at its end.
  const pinned = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: {
        connect: async () => {
          if (handedOver) throw new Error('pinnedTransaction: one transaction per pinned connection');
          handedOver = true;
          return client;
        },
        end: async () => undefined,
      },
    }),
  });
  try {
    return await pinned.transaction().execute((tx) => fn(tx, client));
  } finally {
    if (!handedOver) client.release();
  }
}
