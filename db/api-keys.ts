import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from './database';
import type { RoleName } from '../domain/permissions';

/**
 * API keys: `crm_<prefix>_<secret>`. Only a SHA-256 of the whole key is stored (keys are 256-bit
 * random, so a fast hash is enough); the prefix finds the row. The key is shown once, at creation.
 */
const KEY_PATTERN = /^crm_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6).toString('hex');
  const key = `crm_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export interface Principal {
  userId: string;
  apiKeyId: string;
  role: RoleName;
}

export async function authenticateApiKey(db: Db, presented: string): Promise<Principal | undefined> {
  const match = KEY_PATTERN.exec(presented);
  if (!match) return undefined;
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .select(['api_keys.id as apiKeyId', 'api_keys.key_hash', 'users.id as userId', 'users.role', 'users.disabled_at', 'api_keys.revoked_at'])
    .where('api_keys.prefix', '=', match[1]!)
    .executeTakeFirst();
  if (!row || row.revoked_at || row.disabled_at) return undefined;
  const expected = Buffer.from(row.key_hash, 'hex');
  const actual = Buffer.from(hashApiKey(presented), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  return { userId: row.userId, apiKeyId: row.apiKeyId, role: row.role };
}

export async function createUser(db: Db, name: string, role: RoleName): Promise<string> {
  const row = await db.insertInto('users').values({ name, role }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function issueApiKey(db: Db, userId: string, name: string): Promise<{ id: string; key: string; prefix: string }> {
  const { key, prefix, hash } = generateApiKey();
  const row = await db.insertInto('api_keys').values({ user_id: userId, name, prefix, key_hash: hash }).returning('id').executeTakeFirstOrThrow();
  return { id: row.id, key, prefix };
}
