/**
 * GDPR Art. 12(3) deadlines: an answer within one month of receipt, extendable once by up to two
 * further months when the request is complex. Calendar-month arithmetic in UTC (date-fns clamps to
 * the month's end: 31 January + 1 month = 28/29 February).
 */
import { UTCDate } from '@date-fns/utc';
import { addMonths } from 'date-fns';

export const MAX_EXTENSION_MONTHS = 2;

export const addCalendarMonths = (at: Date, months: number): Date => new Date(addMonths(new UTCDate(at.getTime()), months).getTime());

/** dueAt = receivedAt + 1 calendar month. */
export const dueAtFor = (receivedAt: Date): Date => addCalendarMonths(receivedAt, 1);

export type ExtensionVerdict = { ok: true; extendedUntil: Date } | { ok: false; code: 'ERASURE_ALREADY_EXTENDED' | 'ERASURE_EXTENSION_TOO_LATE' | 'ERASURE_EXTENSION_INVALID'; message: string };

/**
 * Once, within the first month after receipt (before dueAt), by 1 or 2 months counted from dueAt.
 * `now` is the moment the extension is asked for.
 */
export function decideExtension(r: { receivedAt: Date; dueAt: Date; extendedUntil: Date | null }, months: number, now: Date): ExtensionVerdict {
  if (!Number.isInteger(months) || months < 1 || months > MAX_EXTENSION_MONTHS) {
    return { ok: false, code: 'ERASURE_EXTENSION_INVALID', message: `An extension is 1 or ${MAX_EXTENSION_MONTHS} months (GDPR Art. 12(3)); ${months} was asked.` };
  }
  if (r.extendedUntil !== null) {
    return { ok: false, code: 'ERASURE_ALREADY_EXTENDED', message: `The deadline was already extended (to ${r.extendedUntil.toISOString()}); GDPR Art. 12(3) allows one extension.` };
  }
  if (now.getTime() >= r.dueAt.getTime()) {
    return { ok: false, code: 'ERASURE_EXTENSION_TOO_LATE', message: `The first month ended at ${r.dueAt.toISOString()}; GDPR Art. 12(3) allows an extension only within the first month after receipt.` };
  }
  return { ok: true, extendedUntil: addCalendarMonths(r.dueAt, months) };
}

/** The deadline in force: the extension if there is one. */
export const effectiveDeadline = (r: { dueAt: Date; extendedUntil: Date | null }): Date => r.extendedUntil ?? r.dueAt;
