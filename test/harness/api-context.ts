import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../../domain/config';
import { createRoleKeys, createTestApp, type RoleKeys } from './api';
import { testConfig } from './config';
import { createTestDatabase, type TestDatabase } from './database';
import { connectTestClient } from './temporal';

/** Per-file API fixture: fresh database, Temporal client, app (inject), one key per role. */
export interface ApiContext {
  app: FastifyInstance;
  tdb: TestDatabase;
  keys: RoleKeys;
  config: AppConfig;
  close(): Promise<void>;
}

export async function createApiContext(configOverrides: Record<string, string> = {}): Promise<ApiContext> {
  const tdb = await createTestDatabase();
  const temporal = await connectTestClient();
  const config = testConfig(configOverrides);
  const app = await createTestApp({ db: tdb.db, temporal: temporal.client, config });
  const keys = await createRoleKeys(tdb.db);
  return {
    app,
    tdb,
    keys,
    config,
    close: async () => {
      await app.close();
      await temporal.close();
      await tdb.drop();
    },
  };
}
