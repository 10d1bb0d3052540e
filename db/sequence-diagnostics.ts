import { LIVE_ENROLLMENT_STATUSES, isLiveEnrollment } from '../domain/sequences/vocabulary';
import { sql, type Selectable } from 'kysely';
import type { Db } from './database';
import type { EnrollmentsTable } from './schema';
import { loadSequenceRuleFacts } from './sequence-facts';
import type { SequenceRuleFacts } from '../domain/sequences/rules';
import type { DeliveryFacts } from '../domain/sequences/diagnostic-rules';

/**
 * Everything the diagnostics endpoint judges for one contact and sequence: the rule facts the
 * workflow itself uses (loadSequenceRuleFacts), plus counters and history for the delivery rules.
 */
export interface DiagnosticFacts {
  ruleFacts: SequenceRuleFacts;
  delivery: DeliveryFacts;
  /** The live enrollment, else the most recent one, else null. */
  enrollment: Selectable<EnrollmentsTable> | null;
}

export async function contactExists(db: Db, contactId: string): Promise<boolean> {
  return Boolean(await db.selectFrom('contacts').select('id').where('id', '=', contactId).executeTakeFirst());
}

/** Sequences the contact is or was enrolled in, oldest enrollment first (ties, same millisecond, by sequence id). */
export async function enrolledSequenceIds(db: Db, contactId: string): Promise<string[]> {
  const rows = await db.selectFrom('enrollments').select('sequence_id').select((eb) => eb.fn.min('created_at').as('first')).where('contact_id', '=', contactId).groupBy('sequence_id').orderBy('first').orderBy('sequence_id').execute();
  return rows.map((r) => r.sequence_id);
}

/** Undefined when the contact or the sequence does not exist. */
export async function loadDiagnosticFacts(db: Db, contactId: string, sequenceId: string, now: Date): Promise<DiagnosticFacts | undefined> {
  const contact = await db.selectFrom('contacts').select(['time_zone', 'status']).where('id', '=', contactId).executeTakeFirst();
  const sequence = await db.selectFrom('sequences').select(['mailbox_id', 'send_window', 'time_zone', 'unenroll_on_reply']).where('id', '=', sequenceId).executeTakeFirst();
  if (!contact || !sequence) return undefined;

  const enrollment =
    (await db
      .selectFrom('enrollments')
      .selectAll()
      .where('contact_id', '=', contactId)
      .where('sequence_id', '=', sequenceId)
      .orderBy(sql`status in ('active', 'waiting', 'paused')`, 'desc')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst()) ?? null;
  const live = enrollment && isLiveEnrollment(enrollment.status) ? enrollment : null;
  const ruleFacts = await loadSequenceRuleFacts(db, contactId, sequenceId, live ? { excludeEnrollmentId: live.id } : {});

  const [limits, sends, plainSteps, lastReply, unsubscribe] = await Promise.all([
    loadLimits(db, sequence.mailbox_id, now),
    enrollment ? loadSends(db, contactId, enrollment.id) : Promise.resolve([]),
    db.selectFrom('sequence_steps').select('id').where('sequence_id', '=', sequenceId).where('removed_at', 'is', null).where('html', 'is', null).orderBy('position').execute(),
    db.selectFrom('activities').select((eb) => eb.fn.max('occurred_at').as('at')).where('contact_id', '=', contactId).where('type', '=', 'replied').where(sql<string>`data->>'sequenceId'`, '=', sequenceId).executeTakeFirst(),
    loadUnsubscribe(db, contactId, contact.status === 'unsubscribed' || ruleFacts.suppression?.reason === 'unsubscribed', ruleFacts.suppression !== null),
  ]);

  return {
    ruleFacts,
    enrollment,
    delivery: {
      sendWindow: sequence.send_window,
      contactTimeZone: contact.time_zone,
      sequenceTimeZone: sequence.time_zone,
      limits,
      sends,
      plainTextStepIds: plainSteps.map((s) => s.id),
      endedReason: enrollment?.ended_reason ?? null,
      unenrollOnReply: sequence.unenroll_on_reply,
      lastReplyAtMs: lastReply?.at ? new Date(lastReply.at).getTime() : null,
      unsubscribe,
    },
  };
}

/** The current day and minute counters, whatever instant the sender aligned their windows to. */
async function loadLimits(db: Db, mailboxId: string, now: Date): Promise<DeliveryFacts['limits']> {
  const mailbox = await db.selectFrom('mailboxes').select(['daily_limit', 'per_minute_limit']).where('id', '=', mailboxId).executeTakeFirst();
  if (!mailbox) return null;
  const rows = await db
    .selectFrom('mailbox_send_counters')
    .select(['window_kind', 'window_start', 'count'])
    .where('mailbox_id', '=', mailboxId)
    .where('window_start', '<=', now)
    .where((eb) => eb.or([eb.and([eb('window_kind', '=', 'day'), eb('window_start', '>', new Date(now.getTime() - 86_400_000))]), eb.and([eb('window_kind', '=', 'minute'), eb('window_start', '>', new Date(now.getTime() - 60_000))])]))
    .orderBy('window_start', 'desc')
    .execute();
  const latest = (kind: 'day' | 'minute') => {
    const row = rows.find((r) => r.window_kind === kind);
    return row ? { count: row.count, windowStartMs: row.window_start.getTime() } : null;
  };
  return { dailyLimit: mailbox.daily_limit, perMinuteLimit: mailbox.per_minute_limit, day: latest('day'), minute: latest('minute') };
}

async function loadSends(db: Db, contactId: string, enrollmentId: string): Promise<DeliveryFacts['sends']> {
  const sends = await db.selectFrom('email_sends').select(['id', 'step_id', 'status', 'has_html']).where('enrollment_id', '=', enrollmentId).orderBy('created_at').execute();
  const opens = await db
    .selectFrom('activities')
    .select([sql<string>`data->>'sendId'`.as('sendId'), (eb) => eb.fn.countAll<string>().as('n')])
    .where('contact_id', '=', contactId)
    .where('type', '=', 'email_opened')
    .where(sql<string>`data->>'enrollmentId'`, '=', enrollmentId)
    .groupBy(sql`data->>'sendId'`)
    .execute();
  const opensBySend = new Map(opens.map((o) => [o.sendId, Number(o.n)]));
  return sends.map((s) => ({ stepId: s.step_id, status: s.status, hasHtml: s.has_html, opens: opensBySend.get(s.id) ?? 0 }));
}

async function loadUnsubscribe(db: Db, contactId: string, active: boolean, suppressed: boolean): Promise<DeliveryFacts['unsubscribe']> {
  const last = active
    ? await db.selectFrom('activities').select(['occurred_at', sql<string | null>`data->>'source'`.as('source')]).where('contact_id', '=', contactId).where('type', '=', 'unsubscribed').orderBy('id', 'desc').limit(1).executeTakeFirst()
    : undefined;
  const live = await db.selectFrom('enrollments').select((eb) => eb.fn.countAll<string>().as('n')).where('contact_id', '=', contactId).where('status', 'in', LIVE_ENROLLMENT_STATUSES).executeTakeFirstOrThrow();
  let sentAfter = 0;
  if (last) {
    const row = await db
      .selectFrom('email_sends as s')
      .innerJoin('enrollments as e', 'e.id', 's.enrollment_id')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('e.contact_id', '=', contactId)
      .where('s.sent_at', '>', last.occurred_at)
      .executeTakeFirstOrThrow();
    sentAfter = Number(row.n);
  }
  return { active, atMs: last ? last.occurred_at.getTime() : null, source: last?.source ?? null, suppressed, sentAfter, liveEnrollments: Number(live.n) };
}
