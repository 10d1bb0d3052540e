import { writeFileSync } from 'node:fs';
import { createUser, issueApiKey } from '../db/api-keys';
import type { Db } from '../db/database';
import { ROLES, type RoleName } from '../domain/permissions';

/**
 * In development, one user and key per role when the database has no keys yet. Keys are shown
 * once, so they go to a git-ignored file readable only by the owner.
 */
export async function ensureDevApiKeys(db: Db, file: string): Promise<'created' | 'existing'> {
  const { count } = await db.selectFrom('api_keys').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow();
  if (Number(count) > 0) return 'existing';
  const keys = {} as Record<RoleName, string>;
  for (const role of ROLES) {
    const userId = await createUser(db, `Dev ${role}`, role);
    keys[role] = (await issueApiKey(db, userId, `dev-${role}`)).key;
  }
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return 'created';
}
