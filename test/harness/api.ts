import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger, FastifyInstance, LightMyRequestResponse } from 'fastify';
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

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** The one API caller: fails loudly (with the error body) when the status is not the expected one. */
export async function call(app: FastifyInstance, key: string, method: Method, url: string, payload?: unknown, expected?: number): Promise<LightMyRequestResponse> {
  const res = await app.inject({ method, url, headers: bearer(key), ...(payload !== undefined ? { payload: payload as object } : {}) });
  if (expected !== undefined && res.statusCode !== expected) {
    throw new Error(`${method} ${url} → ${res.statusCode}, expected ${expected}: ${res.body}`);
  }
  return res;
}

/** `call`, returning the parsed JSON body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test fixtures read response bodies loosely
export async function callJson<T = any>(app: FastifyInstance, key: string, method: Method, url: string, payload: unknown, expected: number): Promise<T> {
  return (await call(app, key, method, url, payload, expected)).json<T>();
}
