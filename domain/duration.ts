/**
 * ISO-8601 durations for sequence step delays ("wait P2D before step 2").
 * Only units with a fixed length are accepted: a month or a year has no fixed number of
 * milliseconds, so they are rejected rather than guessed.
 */

export type DurationParseResult = { ok: true; ms: number } | { ok: false; error: string };

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const WEEKS = /^P(\d+)W$/;
const DAYS_TIME = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d+))?S)?)?$/;
/** A Y or M unit before the "T" (after it, M means minutes). */
const MONTHS_OR_YEARS = /^P(?:\d+(?:[.,]\d+)?[YMWD])*\d+(?:[.,]\d+)?[YM]/;

const FORMAT_HINT = 'expected PnW or PnDTnHnMnS, e.g. P1W, P2D, PT4H30M or PT0.5S';

export function parseIsoDuration(text: string): DurationParseResult {
  const value = text.trim().toUpperCase();
  if (value.length === 0) return fail('the duration is empty');
  if (value.startsWith('-')) return fail('negative durations are not allowed');
  if (!value.startsWith('P')) return fail(`"${text}" is not an ISO-8601 duration: ${FORMAT_HINT}`);
  if (MONTHS_OR_YEARS.test(value)) return fail('months and years are ambiguous; use days (e.g. P30D)');
  if (value === 'P' || value === 'PT') return fail(`"${text}" has no amount: ${FORMAT_HINT}`);
  if (value.endsWith('T')) return fail(`"${text}" has a "T" with no hours, minutes or seconds after it`);

  const weeks = WEEKS.exec(value);
  if (weeks) return checked(text, Number(weeks[1]) * WEEK);

  const match = DAYS_TIME.exec(value);
  if (!match) {
    if (value.includes('W')) return fail('weeks cannot be combined with other units; use days (e.g. P9D)');
    return fail(`"${text}" is not a valid duration: ${FORMAT_HINT}`);
  }
  const [, days, hours, minutes, seconds, fraction] = match;
  const ms =
    num(days) * DAY + num(hours) * HOUR + num(minutes) * MINUTE + num(seconds) * SECOND + fractionMs(fraction);
  return checked(text, ms);
}

/** Human form for messages: "1 day 2 hours 3 minutes 4.5 seconds", "0 seconds". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'an invalid duration';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.round(Math.abs(ms));
  const parts: string[] = [];
  for (const [size, unit] of [
    [DAY, 'day'],
    [HOUR, 'hour'],
    [MINUTE, 'minute'],
  ] as const) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(plural(count, unit));
  }
  if (rest > 0 || parts.length === 0) {
    // Integer arithmetic then trimming zeros avoids float noise like 4.499999.
    const whole = Math.floor(rest / SECOND);
    const millis = String(rest % SECOND).padStart(3, '0').replace(/0+$/, '');
    const amount = millis ? `${whole}.${millis}` : String(whole);
    parts.push(amount === '1' ? '1 second' : `${amount} seconds`);
  }
  return sign + parts.join(' ');
}

function fail(error: string): DurationParseResult {
  return { ok: false, error };
}

function checked(text: string, ms: number): DurationParseResult {
  // Beyond 2^53 ms the value is no longer exact (and is ~285,000 years anyway).
  if (!Number.isSafeInteger(ms)) return fail(`"${text}" is too large`);
  return { ok: true, ms };
}

function num(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(digits);
}

/** Fractional seconds to whole milliseconds, rounded half up; string-based to avoid float error. */
function fractionMs(digits: string | undefined): number {
  if (digits === undefined) return 0;
  const ms = Number(digits.padEnd(3, '0').slice(0, 3));
  const nextDigit = digits.charAt(3);
  return nextDigit !== '' && nextDigit >= '5' ? ms + 1 : ms;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
