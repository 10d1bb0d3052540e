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
  const enrollment = await db.selectFrom('enrollments').select(['contact_id', 'sequence_id', 'status', 'ended_reason']).where('id', '=', input.enrollmentId).executeTakeFirst();
  const open = { windowOpensAtMs: null, windowNeverOpens: false };
  // Deleting a contact deletes its enrollments: there is nobody to send to.
  if (!enrollment) return { endedReason: 'CONTACT_NO_EMAIL', end: [], hold: [], ...open };
  if (!isLiveEnrollment(enrollment.status)) return { endedReason: enrollment.ended_reason ?? 'UNENROLLED', end: [], hold: [], ...open };

  const facts = await loadSequenceRuleFacts(db, enrollment.contact_id, enrollment.sequence_id, { excludeEnrollmentId: input.enrollmentId });
  const { end, hold } = classifyCodes(evaluateSequenceRules(facts, 'send'), 'send');

  const sequence = await db.selectFrom('sequences').select(['send_window', 'time_zone']).where('id', '=', enrollment.sequence_id).executeTakeFirst();
  const contact = await db.selectFrom('contacts').select('time_zone').where('id', '=', enrollment.contact_id).executeTakeFirst();
  const window = (sequence?.send_window ?? null) as SendWindow | null;
  const timeZone = resolveTimeZone(contact?.time_zone, sequence?.time_zone);
  try {
    const next = nextSendTime(window, timeZone, atMs);
    return { endedReason: null, end, hold, windowOpensAtMs: next.deferred ? next.atMs : null, windowNeverOpens: false };
  } catch (err) {
    if (!(err instanceof SendWindowError)) throw err;
    // Saved windows are validated, so this is "no allowed day within a year": wait for an edit.
    return { endedReason: null, end, hold, windowOpensAtMs: null, windowNeverOpens: true };
  }
}
