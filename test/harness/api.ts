import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { createUser, issueApiKey } from '../../db/api-keys';
import type { Db } from '../../db/database';
import type { AppConfig } from '../../domain/config';
import { ROLES, type RoleName } from '../../domain/permissions';

export type RoleKeys = Record<RoleName, string> & { userIds: Record<RoleName, string> };

/** One user and API key per role. */
export async function createRoleKeys(db: Db): Promise<RoleKeys> {
  const keys = { userIds: {} } as RoleKeys;
  for (const role of ROLES) {
    const userId = await createUser(db, `Test ${role}`, role);
    keys.userIds[role] = userId;
    keys[role] = (await issueApiKey(db, userId, `test-${role}`)).key;
  }
  return keys;
}

export async function createTestApp(opts: { db: Db; temporal: Client; config: AppConfig; logger?: FastifyBaseLogger }): Promise<FastifyInstance> {
  const app = await buildApp({ ...opts, logger: opts.logger ?? false });
  await app.ready();
  return app;
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
