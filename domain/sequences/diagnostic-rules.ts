/**
 * The delivery rules of RULES.md "Email sequences" that depend on time and history rather than on
 * the contact/sequence facts of rules.ts: send window, sending limits, open tracking, reply and
 * unsubscribe. Pure (time passed in) so the diagnostics endpoint is testable; details carry no
 * personal data.
 */
import type { ReasonCode } from '../reason-codes';
import { nextSendTime, resolveTimeZone, SendWindowError, type SendWindow } from './send-window';

export type DiagnosticRule = { rule: string; code: ReasonCode | null; pass: boolean; detail: string; retryAt?: string };

export type CounterWindow = { count: number; windowStartMs: number };

export type DeliveryFacts = {
  sendWindow: SendWindow | null;
  contactTimeZone: string | null;
  sequenceTimeZone: string;
  /** null: the sequence has no mailbox (the mailbox rule already reports it). */
  limits: { dailyLimit: number; perMinuteLimit: number; day: CounterWindow | null; minute: CounterWindow | null } | null;
  /** Emails of the enrollment, oldest first. */
  sends: { stepId: string; status: string; hasHtml: boolean; opens: number }[];
  /** Current steps with no HTML body: they will go out untracked. */
  plainTextStepIds: string[];
  endedReason: string | null;
  unenrollOnReply: boolean;
  lastReplyAtMs: number | null;
  unsubscribe: { active: boolean; atMs: number | null; source: string | null; suppressed: boolean; sentAfter: number; liveEnrollments: number };
};

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const pass = (rule: string, detail: string): DiagnosticRule => ({ rule, code: null, pass: true, detail });
const fail = (rule: string, code: ReasonCode, detail: string, retryAtMs?: number): DiagnosticRule => ({ rule, code, pass: false, detail, ...(retryAtMs !== undefined && { retryAt: iso(retryAtMs) }) });

export function evaluateDeliveryRules(f: DeliveryFacts, nowMs: number): DiagnosticRule[] {
  return [sendWindowRule(f, nowMs), ...limitRules(f, nowMs), openTrackingRule(f), replyRule(f), unsubscribeRule(f)];
}

function sendWindowRule(f: DeliveryFacts, nowMs: number): DiagnosticRule {
  if (f.sendWindow === null) return pass('send_window', 'The sequence has no send window: steps send at any time.');
  const zone = resolveTimeZone(f.contactTimeZone, f.sequenceTimeZone);
  const zoneSource = zone === f.contactTimeZone ? "the contact's time zone" : "the sequence's time zone (the contact has none)";
  const w = f.sendWindow;
  const windowText = `days ${w.days.join(',')} ${w.start}-${w.end}${w.holidays?.length ? ` except ${w.holidays.length} holiday(s)` : ''} in ${zone} (${zoneSource})`;
  try {
    const next = nextSendTime(w, zone, nowMs);
    if (!next.deferred) return pass('send_window', `Now is inside the send window: ${windowText}.`);
    return fail('send_window', 'OUTSIDE_SEND_WINDOW', `Now is outside the send window: ${windowText}. The next window opens at ${iso(next.atMs)}.`, next.atMs);
  } catch (err) {
    if (!(err instanceof SendWindowError)) throw err;
    return fail('send_window', 'OUTSIDE_SEND_WINDOW', `No send time can be found: ${err.message}`);
  }
}

function limitRules(f: DeliveryFacts, nowMs: number): DiagnosticRule[] {
  if (!f.limits) return [pass('daily_limit', 'Not checked: the sequence has no mailbox.'), pass('rate_limit', 'Not checked: the sequence has no mailbox.')];
  const { dailyLimit, perMinuteLimit, day, minute } = f.limits;
  const dayCount = day?.count ?? 0;
  const minuteCount = minute?.count ?? 0;
  const daily =
    day && dayCount >= dailyLimit
      ? fail('daily_limit', 'MAILBOX_DAILY_LIMIT', `The mailbox sent ${dayCount} of its ${dailyLimit} emails for today; sends are deferred until ${iso(day.windowStartMs + DAY_MS)}.`, day.windowStartMs + DAY_MS)
      : pass('daily_limit', `The mailbox sent ${dayCount} of its ${dailyLimit} emails for today.`);
  const rate =
    minute && minuteCount >= perMinuteLimit
      ? fail('rate_limit', 'MAILBOX_RATE_LIMIT', `The mailbox sent ${minuteCount} of its ${perMinuteLimit} emails for this minute; sends are deferred until ${iso(minute.windowStartMs + MINUTE_MS)}.`, minute.windowStartMs + MINUTE_MS)
      : pass('rate_limit', `The mailbox sent ${minuteCount} of its ${perMinuteLimit} emails this minute (as of ${iso(nowMs)}).`);
  return [daily, rate];
}

const BEST_EFFORT = 'Opens are best-effort: many clients (Apple Mail, Outlook privacy settings) block the pixel, and an unopened email records nothing.';

function openTrackingRule(f: DeliveryFacts): DiagnosticRule {
  const delivered = f.sends.filter((s) => s.status === 'sent' || s.status === 'uncertain');
  const plain = delivered.filter((s) => !s.hasHtml);
  const html = delivered.filter((s) => s.hasHtml);
  const opened = html.filter((s) => s.opens > 0).length;
  if (plain.length > 0) {
    return fail('open_tracking', 'OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT', `${plain.length} of ${delivered.length} emails sent were plain text only (steps ${plain.map((s) => s.stepId).join(', ')}): opens cannot be tracked for them. ${html.length} HTML emails carry a pixel, ${opened} of them opened. ${BEST_EFFORT}`);
  }
  if (delivered.length === 0 && f.plainTextStepIds.length > 0) {
    return fail('open_tracking', 'OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT', `No email sent yet; steps ${f.plainTextStepIds.join(', ')} have no HTML version, so their opens cannot be tracked.`);
  }
  if (delivered.length === 0) return pass('open_tracking', `No email sent yet; every step has an HTML version with a tracking pixel. ${BEST_EFFORT}`);
  return pass('open_tracking', `${html.length} HTML emails sent with a tracking pixel; ${opened} of them opened. ${BEST_EFFORT}`);
}

function replyRule(f: DeliveryFacts): DiagnosticRule {
  const setting = f.unenrollOnReply ? 'a reply ends the enrollment' : 'the sequence continues after a reply (unenroll on reply is off)';
  if (f.endedReason === 'REPLIED') return fail('reply', 'REPLIED', `The contact replied${f.lastReplyAtMs ? ` at ${iso(f.lastReplyAtMs)}` : ''}; the enrollment ended.`);
  if (f.lastReplyAtMs !== null) return pass('reply', `The contact replied at ${iso(f.lastReplyAtMs)}; ${setting}.`);
  return pass('reply', `No reply recorded; ${setting}.`);
}

function unsubscribeRule(f: DeliveryFacts): DiagnosticRule {
  const u = f.unsubscribe;
  if (!u.active) return pass('unsubscribe', 'The contact has not unsubscribed.');
  const when = u.atMs ? ` at ${iso(u.atMs)}${u.source ? ` (${u.source === 'one_click' ? 'one-click link' : u.source})` : ''}` : '';
  const suppression = u.suppressed ? 'the address is on the suppression list' : 'the address is NOT on the suppression list';
  const live = u.liveEnrollments === 0 ? 'no enrollment is live' : `${u.liveEnrollments} enrollment(s) are still live and will end at their next send`;
  const after = u.atMs ? `; ${u.sentAfter} email(s) sent after it` : '';
  return fail('unsubscribe', 'UNSUBSCRIBED', `The contact unsubscribed${when}: ${suppression}, ${live}${after}.`);
}
