/**
 * API-key authentication, and `lastUsedAt` kept current without a write per request: at most one
 * UPDATE per key per minute (per API process), and the UPDATE itself only moves the time forward.
 */
import { sql } from 'kysely';
import { authenticateApiKey, type Principal } from '../../db/api-keys';
import type { Db } from '../../db/database';
import type { Clock } from '../../domain/clock';

const TOUCH_EVERY_MS = 60_000;

export function apiKeyAuthenticator(db: Db, clock: Clock) {
  const touched = new Map<string, number>();
  return async function authenticate(presented: string): Promise<Principal | undefined> {
    const principal = await authenticateApiKey(db, presented);
    if (!principal) return undefined;
    const now = clock();
    const last = touched.get(principal.apiKeyId);
    if (last === undefined || now - last >= TOUCH_EVERY_MS) {
      touched.set(principal.apiKeyId, now);
      await db
        .updateTable('api_keys')
        .set({ last_used_at: new Date(now) })
        .where('id', '=', principal.apiKeyId)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`${new Date(now - TOUCH_EVERY_MS)}`)]))
        .execute();
    }
    return principal;
  };
}
