/**
 * Users' managers (deals: a manager may edit and move their reports' deals). A manager must exist and
 * the chain of managers may not loop back to the user.
 */
import type { Db } from '../../db/database';
import { invalidFields, notFound } from '../errors';

/** Longest management chain walked when checking for a loop. */
const MAX_CHAIN = 100;

export async function checkManager(db: Db, userId: string | null, managerId: string, path = 'body.managerId'): Promise<void> {
  if (userId !== null && managerId === userId) throw invalidFields([{ path, problem: 'a user cannot be their own manager' }]);
  let current: string | null = managerId;
  for (let i = 0; current !== null && i < MAX_CHAIN; i++) {
    const row: { id: string; manager_id: string | null } | undefined = await db.selectFrom('users').select(['id', 'manager_id']).where('id', '=', current).executeTakeFirst();
    if (!row) throw invalidFields([{ path, problem: i === 0 ? 'no user with this id' : `the management chain names a missing user ${current}` }]);
    if (userId !== null && row.manager_id === userId) throw invalidFields([{ path, problem: `user ${managerId} is managed (directly or not) by this user: the chain would loop` }]);
    current = row.manager_id;
  }
}

export async function setManager(db: Db, userId: string, managerId: string | null) {
  const user = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
  if (!user) throw notFound('User', userId);
  if (managerId !== null) await checkManager(db, userId, managerId);
  return db.updateTable('users').set({ manager_id: managerId }).where('id', '=', userId).returningAll().executeTakeFirstOrThrow();
}
