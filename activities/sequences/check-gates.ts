import { isLiveEnrollment } from '../../domain/sequences/vocabulary';
import type { SequenceContext } from './context';
import { loadSequenceRuleFacts } from '../../db/sequence-facts';
import { classifyCodes, evaluateSequenceRules } from '../../domain/sequences/rules';
import { nextSendTime, resolveTimeZone, SendWindowError, type SendWindow } from '../../domain/sequences/send-window';
import type { GateInput, GateResult } from './types';

/**
 * Read-only check before a send: the sequence rules at the 'send' phase (same facts loader as
 * enrollment and diagnostics) and the send window in the contact's time zone, falling back to the
 * sequence's. The send itself re-checks the rules under locks; this decides whether to wait.
 */
export async function checkEnrollmentGates({ db, now }: Pick<SequenceContext, 'db' | 'now'>, input: GateInput): Promise<GateResult> {
  const atMs = Math.max(input.nowMs, now());
  // The enrollment with its sequence's window and its contact's time zone, in one round trip.
  const enrollment = await db
    .selectFrom('enrollments as e')
    .leftJoin('sequences as s', 's.id', 'e.sequence_id')
    .leftJoin('contacts as c', 'c.id', 'e.contact_id')
    .select(['e.contact_id', 'e.sequence_id', 'e.status', 'e.ended_reason', 's.send_window', 's.time_zone as sequence_time_zone', 'c.time_zone as contact_time_zone'])
    .where('e.id', '=', input.enrollmentId)
    .executeTakeFirst();
  const open = { windowOpensAtMs: null, windowNeverOpens: false };
  // Deleting a contact deletes its enrollments: there is nobody to send to.
  if (!enrollment) return { endedReason: 'CONTACT_NO_EMAIL', end: [], hold: [], ...open };
  if (!isLiveEnrollment(enrollment.status)) return { endedReason: enrollment.ended_reason ?? 'UNENROLLED', end: [], hold: [], ...open };

  const facts = await loadSequenceRuleFacts(db, enrollment.contact_id, enrollment.sequence_id, { excludeEnrollmentId: input.enrollmentId });
  const { end, hold } = classifyCodes(evaluateSequenceRules(facts, 'send'), 'send');

  return { endedReason: null, end, hold, ...sendWindowVerdict(enrollment.send_window, enrollment.contact_time_zone, enrollment.sequence_time_zone, atMs) };
}

/** The send window's part of a gate verdict, in the contact's time zone, falling back to the sequence's. */
export function sendWindowVerdict(sendWindow: unknown, contactTimeZone: string | null, sequenceTimeZone: string | null, atMs: number): Pick<GateResult, 'windowOpensAtMs' | 'windowNeverOpens'> {
  const window = (sendWindow ?? null) as SendWindow | null;
  const timeZone = resolveTimeZone(contactTimeZone, sequenceTimeZone);
  try {
    const next = nextSendTime(window, timeZone, atMs);
    return { windowOpensAtMs: next.deferred ? next.atMs : null, windowNeverOpens: false };
  } catch (err) {
    if (!(err instanceof SendWindowError)) throw err;
    // Saved windows are validated, so this is "no allowed day within a year": wait for an edit.
    return { windowOpensAtMs: null, windowNeverOpens: true };
  }
}
