/**
 * Mailbox sending limits shared by every worker process: a counter row per mailbox and window
 * (UTC minute, UTC day), reserved with an atomic conditional upsert, so two workers can never both
 * take the last slot. Call inside the claim transaction: a rollback returns the reservation.
 */
import { sql } from 'kysely';
import type { Db } from './database';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export type Reservation =
  | { ok: true }
  | { ok: false; code: 'MAILBOX_RATE_LIMIT' | 'MAILBOX_DAILY_LIMIT'; windowStartMs: number; retryAtMs: number };

export interface MailboxLimits {
  id: string;
  per_minute_limit: number;
  daily_limit: number;
}

/** Takes one slot in the window if it has room; returns the new count, or null when full. */
async function take(db: Db, mailboxId: string, kind: 'minute' | 'day', windowStart: Date, limit: number): Promise<number | null> {
  const { rows } = await sql<{ count: number }>`
    insert into mailbox_send_counters as c (mailbox_id, window_kind, window_start, count)
    values (${mailboxId}, ${kind}, ${windowStart}, 1)
    on conflict (mailbox_id, window_kind, window_start)
    do update set count = c.count + 1 where c.count < ${limit}
    returning c.count`.execute(db);
  return rows[0]?.count ?? null;
}

async function giveBack(db: Db, mailboxId: string, kind: 'minute' | 'day', windowStart: Date): Promise<void> {
  await db
    .updateTable('mailbox_send_counters')
    .set((eb) => ({ count: eb('count', '-', 1) }))
    .where('mailbox_id', '=', mailboxId)
    .where('window_kind', '=', kind)
    .where('window_start', '=', windowStart)
    .where('count', '>', 0)
    .execute();
}

/** Reserves one send at `atMs` against the per-minute pace and the daily cap. */
export async function reserveSendCapacity(db: Db, mailbox: MailboxLimits, atMs: number): Promise<Reservation> {
  const minuteStart = Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
  const dayStart = Math.floor(atMs / DAY_MS) * DAY_MS;
  const minuteCount = await take(db, mailbox.id, 'minute', new Date(minuteStart), mailbox.per_minute_limit);
  if (minuteCount === null) {
    return { ok: false, code: 'MAILBOX_RATE_LIMIT', windowStartMs: minuteStart, retryAtMs: minuteStart + MINUTE_MS };
  }
  const dayCount = await take(db, mailbox.id, 'day', new Date(dayStart), mailbox.daily_limit);
  if (dayCount === null) {
    await giveBack(db, mailbox.id, 'minute', new Date(minuteStart));
    return { ok: false, code: 'MAILBOX_DAILY_LIMIT', windowStartMs: dayStart, retryAtMs: dayStart + DAY_MS };
  }
  if (minuteCount === 1) {
    // First send of a new minute: drop this mailbox's stale minute rows so the table stays small.
    await db
      .deleteFrom('mailbox_send_counters')
      .where('mailbox_id', '=', mailbox.id)
      .where('window_kind', '=', 'minute')
      .where('window_start', '<', new Date(minuteStart - 60 * MINUTE_MS))
      .execute();
  }
  return { ok: true };
}
