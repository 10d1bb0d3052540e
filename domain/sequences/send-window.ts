/**
 * Send windows: steps go out only on allowed local days/times in the contact's time zone.
 *
 * Imported by workflow code, so time is always passed in (epoch ms) and time zones are handled
 * with Intl.DateTimeFormat only (available in the Temporal workflow sandbox): no date libraries.
 */
import { z } from 'zod';

export type SendWindow = {
  /** ISO weekdays on which sending is allowed: 1 = Monday … 7 = Sunday. */
  days: number[];
  /** Local start time 'HH:MM', inclusive. */
  start: string;
  /** Local end time 'HH:MM', exclusive. */
  end: string;
  /** Local calendar dates 'YYYY-MM-DD' on which nothing is sent. */
  holidays?: string[];
};

/** Business days 08:00–18:00 (RULES.md "send window"). Treat as read-only. */
export const DEFAULT_SEND_WINDOW: SendWindow = { days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' };

/**
 * How far ahead nextSendTime looks for an allowed day. A year plus margin: any sane window
 * has a slot within a week, so running out means the holidays cover every allowed day.
 */
export const MAX_SEARCH_DAYS = 400;

export type SendWindowErrorCode = 'INVALID_TIME_ZONE' | 'INVALID_WINDOW' | 'INVALID_INSTANT' | 'NO_SEND_TIME';

/** Thrown by nextSendTime; callers (e.g. workflows) can branch on `code`. */
export class SendWindowError extends Error {
  override readonly name = 'SendWindowError';
  constructor(
    readonly code: SendWindowErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const sendWindowSchema = z
  .object({
    days: z
      .array(z.number().int().min(1, 'days are ISO weekdays 1 (Monday) to 7 (Sunday)').max(7, 'days are ISO weekdays 1 (Monday) to 7 (Sunday)'))
      .min(1, 'at least one day is required')
      .refine((days) => new Set(days).size === days.length, 'days must be unique'),
    start: z.string().regex(HH_MM, 'must be HH:MM between 00:00 and 23:59'),
    end: z.string().regex(HH_MM, 'must be HH:MM between 00:00 and 23:59'),
    holidays: z.array(z.string().refine(isIsoDate, 'must be a valid date YYYY-MM-DD')).optional(),
  })
  .refine(startBeforeEnd, { message: 'start must be before end', path: ['end'] });

/** Compile-time guard: what the schema accepts must stay a SendWindow. */
export type ParsedSendWindow = AssertSendWindow<z.infer<typeof sendWindowSchema>>;
type AssertSendWindow<T extends SendWindow> = T;

/** Zones already asked about: building an Intl.DateTimeFormat costs ~0.3 ms, and every gate check asks. */
const knownZones = new Map<string, boolean>();
const MAX_KNOWN_ZONES = 1_000;

/** True when Intl knows the IANA zone (e.g. 'Europe/Berlin'). */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') return false;
  const known = knownZones.get(timeZone);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    valid = true;
  } catch {
    valid = false;
  }
  // Bounded: arbitrary strings (e.g. a typo in an import) must not grow it without end.
  if (knownZones.size >= MAX_KNOWN_ZONES) knownZones.clear();
  knownZones.set(timeZone, valid);
  return valid;
}

/** The contact's zone, else the sequence's, else `fallback`; invalid zones are skipped, not trusted. */
export function resolveTimeZone(
  contactTz: string | null | undefined,
  sequenceTz: string | null | undefined,
  fallback = 'UTC',
): string {
  if (contactTz && isValidTimeZone(contactTz)) return contactTz;
  if (sequenceTz && isValidTimeZone(sequenceTz)) return sequenceTz;
  return fallback;
}

/**
 * `atMs` unchanged when it is inside the window in `timeZone` (allowed weekday, not a holiday,
 * start <= local time < end); otherwise the earliest later instant that is inside (deferred).
 * A `null` window means "any time".
 *
 * DST: a window start that falls in a spring-forward gap resolves to the transition instant
 * (the first local time that exists); an ambiguous fall-back time resolves to its first occurrence,
 * and the repeated hour is still found when `atMs` lies between the two occurrences.
 *
 * Throws SendWindowError: INVALID_TIME_ZONE, INVALID_WINDOW (bad HH:MM or start >= end),
 * INVALID_INSTANT, or NO_SEND_TIME when no allowed day exists within MAX_SEARCH_DAYS (e.g. every
 * allowed day is a holiday). Throwing keeps the common result simple; windows are validated with
 * sendWindowSchema on save, so NO_SEND_TIME is the only one a valid configuration can hit.
 */
export function nextSendTime(
  window: SendWindow | null,
  timeZone: string,
  atMs: number,
): { atMs: number; deferred: boolean } {
  if (window === null) return { atMs, deferred: false };
  if (!Number.isFinite(atMs)) throw new SendWindowError('INVALID_INSTANT', 'The instant is not a finite number.');
  if (!isValidTimeZone(timeZone)) throw new SendWindowError('INVALID_TIME_ZONE', `Unknown time zone "${timeZone}".`);
  const spec = compileWindow(window);
  const horizonMs = atMs + (MAX_SEARCH_DAYS + 2) * DAY;

  // Each pass either returns, jumps to the next window start (same offset, so the next pass is inside),
  // or stops at a UTC-offset change on the way there; the horizon bounds the loop regardless.
  let t = atMs;
  while (t <= horizonMs) {
    const offset = offsetAt(timeZone, t);
    const wall = t + offset;
    const dayStart = Math.floor(wall / DAY) * DAY;
    const timeOfDay = wall - dayStart;
    if (isAllowedDay(spec, dayStart) && timeOfDay >= spec.startMs && timeOfDay < spec.endMs) {
      return { atMs: t, deferred: t !== atMs };
    }
    const candidate = nextStartWall(spec, dayStart, timeOfDay) - offset;
    t = offsetAt(timeZone, candidate) === offset ? candidate : firstOffsetChange(timeZone, t, candidate, offset);
  }
  throw noSendTime();
}

type CompiledWindow = { days: ReadonlySet<number>; startMs: number; endMs: number; holidays: ReadonlySet<string> };

function compileWindow(window: SendWindow): CompiledWindow {
  const start = parseHhMm(window.start);
  const end = parseHhMm(window.end);
  if (start === null || end === null) {
    throw new SendWindowError('INVALID_WINDOW', 'The send window start and end must be HH:MM between 00:00 and 23:59.');
  }
  if (start >= end) throw new SendWindowError('INVALID_WINDOW', 'The send window start must be before its end.');
  return {
    days: new Set(window.days),
    startMs: start * MINUTE,
    endMs: end * MINUTE,
    holidays: new Set(window.holidays ?? []),
  };
}

// Zod runs this even when start/end are malformed; those are reported by their own checks.
function startBeforeEnd(window: { start: string; end: string }): boolean {
  const start = parseHhMm(window.start);
  const end = parseHhMm(window.end);
  return start === null || end === null || start < end;
}

/** Minutes after midnight, or null when not 'HH:MM'. */
function parseHhMm(value: string): number | null {
  const match = HH_MM.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // Date.UTC rolls 2025-02-30 over to March; a round trip exposes it.
  return new Date(ms).toISOString().slice(0, 10) === value;
}

/** `dayStart` is local midnight expressed as if it were UTC ("wall" ms). */
function isAllowedDay(spec: CompiledWindow, dayStart: number): boolean {
  const daysSinceEpoch = Math.floor(dayStart / DAY);
  const isoWeekday = ((((daysSinceEpoch + 3) % 7) + 7) % 7) + 1; // 1970-01-01 was a Thursday (4)
  return spec.days.has(isoWeekday) && !spec.holidays.has(new Date(dayStart).toISOString().slice(0, 10));
}

/** Wall time of the next window start strictly after the given local time. */
function nextStartWall(spec: CompiledWindow, dayStart: number, timeOfDay: number): number {
  if (timeOfDay < spec.startMs && isAllowedDay(spec, dayStart)) return dayStart + spec.startMs;
  for (let day = 1; day <= MAX_SEARCH_DAYS; day++) {
    const next = dayStart + day * DAY;
    if (isAllowedDay(spec, next)) return next + spec.startMs;
  }
  throw noSendTime();
}

function noSendTime(): SendWindowError {
  return new SendWindowError(
    'NO_SEND_TIME',
    `The send window has no allowed day within ${MAX_SEARCH_DAYS} days (all allowed days are holidays?).`,
  );
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // h23 avoids the "24:00" midnight some ICU versions produce with hour12: false.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Local wall clock minus UTC, in ms, at the instant (offsets change only on whole seconds). */
function offsetAt(timeZone: string, atMs: number): number {
  const second = Math.floor(atMs / 1000) * 1000;
  const field: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(second)) {
    if (part.type !== 'literal') field[part.type] = Number(part.value);
  }
  const wall = Date.UTC(field.year ?? 0, (field.month ?? 1) - 1, field.day ?? 1, field.hour ?? 0, field.minute ?? 0, field.second ?? 0);
  return wall - second;
}

/** First whole second in (fromMs, toMs] whose offset differs from `offset` (binary search). */
function firstOffsetChange(timeZone: string, fromMs: number, toMs: number, offset: number): number {
  let low = Math.floor(fromMs / 1000);
  let high = Math.floor(toMs / 1000);
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (offsetAt(timeZone, mid * 1000) === offset) low = mid;
    else high = mid;
  }
  return high * 1000;
}
