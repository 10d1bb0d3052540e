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

/**
 * Takes one slot in the minute and, only if that succeeded, one in the day, in one statement (one
 * round trip per send); each is an atomic conditional upsert. Returns the new counts, null when full
 * (the day's is also null when the minute was full: it was not tried).
 */
async function takeMinuteAndDay(db: Db, mailbox: MailboxLimits, minuteStart: Date, dayStart: Date): Promise<{ minute: number | null; day: number | null }> {
  const { rows } = await sql<{ minute: number | null; day: number | null }>`
    with minute as (
      insert into mailbox_send_counters as c (mailbox_id, window_kind, window_start, count)
      values (${mailbox.id}, 'minute', ${minuteStart}, 1)
      on conflict (mailbox_id, window_kind, window_start)
      do update set count = c.count + 1 where c.count < ${mailbox.per_minute_limit}
      returning c.count
    ), day as (
      insert into mailbox_send_counters as c (mailbox_id, window_kind, window_start, count)
      select ${mailbox.id}, 'day', ${dayStart}, 1 where exists (select 1 from minute)
      on conflict (mailbox_id, window_kind, window_start)
      do update set count = c.count + 1 where c.count < ${mailbox.daily_limit}
      returning c.count
    )
    select (select count from minute) as minute, (select count from day) as day`.execute(db);
  return rows[0] ?? { minute: null, day: null };
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
  const { minute: minuteCount, day: dayCount } = await takeMinuteAndDay(db, mailbox, new Date(minuteStart), new Date(dayStart));
  if (minuteCount === null) {
    return { ok: false, code: 'MAILBOX_RATE_LIMIT', windowStartMs: minuteStart, retryAtMs: minuteStart + MINUTE_MS };
  }
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
