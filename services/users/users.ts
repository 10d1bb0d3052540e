/** Users and their API keys (admin). A key is shown once, when issued; only its hash is stored. */
import { createUser, issueApiKey } from '../../db/api-keys';
import type { Db } from '../../db/database';
import { pageInCreationOrder } from '../../db/pagination';
import type { RoleName } from '../../domain/permissions';
import { notFound } from '../errors';
import { checkManager, setManager } from './managers';

export { setManager };

export async function addUser(db: Db, input: { name: string; role: RoleName; managerId?: string | null }) {
  if (input.managerId) await checkManager(db, null, input.managerId);
  const id = await createUser(db, input.name, input.role);
  if (input.managerId) return setManager(db, id, input.managerId);
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export function listUsers(db: Db, page: { limit: number; cursor?: string }) {
  return pageInCreationOrder(db.selectFrom('users').selectAll(), page);
}

export async function issueKeyForUser(db: Db, userId: string, name: string) {
  const user = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
  if (!user) throw notFound('User', userId);
  return issueApiKey(db, user.id, name);
}

export function listKeysOfUser(db: Db, userId: string) {
  return db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
}

export async function revokeKey(db: Db, keyId: string): Promise<void> {
  const row = await db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', keyId).where('revoked_at', 'is', null).returning('id').executeTakeFirst();
  if (!row) throw notFound('Active API key', keyId);
}
