import {
  DEFAULT_SEND_WINDOW,
  SendWindowError,
  isValidTimeZone,
  nextSendTime,
  resolveTimeZone,
  sendWindowSchema,
  type SendWindow,
} from '../../domain/sequences/send-window';

const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];

/** nextSendTime with ISO strings in and out, so expectations read as UTC instants. */
function next(window: SendWindow | null, timeZone: string, atIso: string): { at: string; deferred: boolean } {
  const result = nextSendTime(window, timeZone, Date.parse(atIso));
  return { at: new Date(result.atMs).toISOString(), deferred: result.deferred };
}

function thrownCode(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof SendWindowError) return error.code;
    throw error;
  }
  throw new Error('expected a SendWindowError');
}

/** Every Monday from `firstMonday` (a Monday, 'YYYY-MM-DD') for `weeks` weeks. */
function mondays(firstMonday: string, weeks: number): string[] {
  const start = Date.parse(`${firstMonday}T00:00:00Z`);
  return Array.from({ length: weeks }, (_, i) => new Date(start + i * 7 * 86_400_000).toISOString().slice(0, 10));
}

describe('DEFAULT_SEND_WINDOW', () => {
  it('is business days 08:00–18:00', () => {
    expect(DEFAULT_SEND_WINDOW).toEqual({ days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' });
  });
});

describe('nextSendTime', () => {
  it('returns an instant inside the window unchanged', () => {
    // Wed 2025-03-12 10:00 EDT (UTC-4)
    expect(next(DEFAULT_SEND_WINDOW, 'America/New_York', '2025-03-12T14:00:00.000Z')).toEqual({ at: '2025-03-12T14:00:00.000Z', deferred: false });
    // Exactly 08:00 is inside (start inclusive); 17:59:59.999 is inside.
    expect(next(DEFAULT_SEND_WINDOW, 'America/New_York', '2025-03-12T12:00:00.000Z')).toEqual({ at: '2025-03-12T12:00:00.000Z', deferred: false });
    expect(next(DEFAULT_SEND_WINDOW, 'America/New_York', '2025-03-12T21:59:59.999Z')).toEqual({ at: '2025-03-12T21:59:59.999Z', deferred: false });
  });

  it('defers before the start to the same day start', () => {
    // Tue 2025-06-10 07:59 CEST → 08:00 CEST (06:00Z)
    expect(next(DEFAULT_SEND_WINDOW, 'Europe/Berlin', '2025-06-10T05:59:00.000Z')).toEqual({ at: '2025-06-10T06:00:00.000Z', deferred: true });
  });

  it('defers at or after the end to the next day start', () => {
    // Wed 2025-03-12 18:00 EDT (end is exclusive) → Thu 08:00 EDT
    expect(next(DEFAULT_SEND_WINDOW, 'America/New_York', '2025-03-12T22:00:00.000Z')).toEqual({ at: '2025-03-13T12:00:00.000Z', deferred: true });
    // Wed 2025-03-12 19:00 EDT → Thu 08:00 EDT
    expect(next(DEFAULT_SEND_WINDOW, 'America/New_York', '2025-03-12T23:00:00.000Z')).toEqual({ at: '2025-03-13T12:00:00.000Z', deferred: true });
  });

  it('defers Friday evening and the weekend to Monday 08:00', () => {
    // Fri 2025-06-13 19:00 CEST → Mon 2025-06-16 08:00 CEST
    expect(next(DEFAULT_SEND_WINDOW, 'Europe/Berlin', '2025-06-13T17:00:00.000Z')).toEqual({ at: '2025-06-16T06:00:00.000Z', deferred: true });
    // Sat 2025-06-14 09:00 CEST → Mon 08:00 CEST
    expect(next(DEFAULT_SEND_WINDOW, 'Europe/Berlin', '2025-06-14T07:00:00.000Z')).toEqual({ at: '2025-06-16T06:00:00.000Z', deferred: true });
  });

  it('supports weekend-only windows', () => {
    // Mon 2025-03-10 11:00 UTC → Sat 2025-03-15 10:00 UTC
    const weekend: SendWindow = { days: [6, 7], start: '10:00', end: '12:00' };
    expect(next(weekend, 'UTC', '2025-03-10T11:00:00.000Z')).toEqual({ at: '2025-03-15T10:00:00.000Z', deferred: true });
  });

  it('skips holidays (local dates)', () => {
    const christmas: SendWindow = { ...DEFAULT_SEND_WINDOW, holidays: ['2025-12-24', '2025-12-25', '2025-12-26'] };
    // Tue 2025-12-23 18:30 CET → Wed–Fri are holidays, then the weekend → Mon 2025-12-29 08:00 CET (07:00Z)
    expect(next(christmas, 'Europe/Berlin', '2025-12-23T17:30:00.000Z')).toEqual({ at: '2025-12-29T07:00:00.000Z', deferred: true });
    // Inside business hours but on a holiday: Wed 2025-12-24 10:00 CET
    expect(next(christmas, 'Europe/Berlin', '2025-12-24T09:00:00.000Z')).toEqual({ at: '2025-12-29T07:00:00.000Z', deferred: true });
  });

  it('holidays are local dates in the given zone', () => {
    const window: SendWindow = { days: ALL_DAYS, start: '00:00', end: '23:59', holidays: ['2025-12-24'] };
    // 2025-12-23T23:30Z is still Tue 23 in UTC (inside) but already Wed 24 00:30 in Berlin (holiday).
    expect(next(window, 'UTC', '2025-12-23T23:30:00.000Z')).toEqual({ at: '2025-12-23T23:30:00.000Z', deferred: false });
    // Berlin: next slot is Thu 2025-12-25 00:00 CET (UTC+1).
    expect(next(window, 'Europe/Berlin', '2025-12-23T23:30:00.000Z')).toEqual({ at: '2025-12-24T23:00:00.000Z', deferred: true });
  });

  it('America/New_York spring-forward: Friday evening EST → Monday 08:00 EDT', () => {
    // Fri 2025-03-07 19:00 EST (UTC-5); clocks go forward Sun 2025-03-09; Mon 08:00 EDT is 12:00Z
    expect(next(DEFAULT_SEND_WINDOW, 'America/New_York', '2025-03-08T00:00:00.000Z')).toEqual({ at: '2025-03-10T12:00:00.000Z', deferred: true });
  });

  it('America/New_York fall-back: Friday evening EDT → Monday 08:00 EST', () => {
    // Fri 2025-10-31 18:30 EDT (UTC-4); clocks go back Sun 2025-11-02; Mon 08:00 EST is 13:00Z
    expect(next(DEFAULT_SEND_WINDOW, 'America/New_York', '2025-10-31T22:30:00.000Z')).toEqual({ at: '2025-11-03T13:00:00.000Z', deferred: true });
  });

  it('Europe/Berlin spring-forward and fall-back', () => {
    // Fri 2025-03-28 18:00 CET → Mon 2025-03-31 08:00 CEST (UTC+2)
    expect(next(DEFAULT_SEND_WINDOW, 'Europe/Berlin', '2025-03-28T17:00:00.000Z')).toEqual({ at: '2025-03-31T06:00:00.000Z', deferred: true });
    // Fri 2025-10-24 20:00 CEST → Mon 2025-10-27 08:00 CET (UTC+1)
    expect(next(DEFAULT_SEND_WINDOW, 'Europe/Berlin', '2025-10-24T18:00:00.000Z')).toEqual({ at: '2025-10-27T07:00:00.000Z', deferred: true });
  });

  it('a start inside the spring-forward gap resolves to the transition instant', () => {
    // 02:30 does not exist in New York on 2025-03-09: 01:59:59 EST is followed by 03:00 EDT (07:00Z).
    const night: SendWindow = { days: ALL_DAYS, start: '02:30', end: '04:00' };
    expect(next(night, 'America/New_York', '2025-03-09T06:00:00.000Z')).toEqual({ at: '2025-03-09T07:00:00.000Z', deferred: true });
    // Berlin 2025-03-30: 02:00 CET jumps to 03:00 CEST at 01:00Z.
    const berlinNight: SendWindow = { days: ALL_DAYS, start: '02:15', end: '05:00' };
    expect(next(berlinNight, 'Europe/Berlin', '2025-03-29T23:00:00.000Z')).toEqual({ at: '2025-03-30T01:00:00.000Z', deferred: true });
  });

  it('an ambiguous fall-back start resolves to its first occurrence, and the repeated hour is found', () => {
    // New York 2025-11-02: 01:00–01:59 happens in EDT (05:00Z–05:59Z) and again in EST (06:00Z–06:59Z).
    const early: SendWindow = { days: ALL_DAYS, start: '01:30', end: '03:00' };
    expect(next(early, 'America/New_York', '2025-11-02T04:00:00.000Z')).toEqual({ at: '2025-11-02T05:30:00.000Z', deferred: true });
    // 01:40 EDT is after a 01:00–01:30 window, but the clock repeats 01:00 at 06:00Z.
    const short: SendWindow = { days: ALL_DAYS, start: '01:00', end: '01:30' };
    expect(next(short, 'America/New_York', '2025-11-02T05:40:00.000Z')).toEqual({ at: '2025-11-02T06:00:00.000Z', deferred: true });
    // Berlin 2025-10-26: 02:30 CEST is 00:30Z, 02:30 CET is 01:30Z.
    const berlin: SendWindow = { days: ALL_DAYS, start: '02:30', end: '02:45' };
    expect(next(berlin, 'Europe/Berlin', '2025-10-26T00:00:00.000Z')).toEqual({ at: '2025-10-26T00:30:00.000Z', deferred: true });
    expect(next(berlin, 'Europe/Berlin', '2025-10-26T00:50:00.000Z')).toEqual({ at: '2025-10-26T01:30:00.000Z', deferred: true });
  });

  it('Asia/Kolkata (UTC+05:30)', () => {
    // Mon 2025-01-06 07:00 IST → 08:00 IST
    expect(next(DEFAULT_SEND_WINDOW, 'Asia/Kolkata', '2025-01-06T01:30:00.000Z')).toEqual({ at: '2025-01-06T02:30:00.000Z', deferred: true });
    // Mon 2025-01-06 17:59 IST is inside
    expect(next(DEFAULT_SEND_WINDOW, 'Asia/Kolkata', '2025-01-06T12:29:00.000Z')).toEqual({ at: '2025-01-06T12:29:00.000Z', deferred: false });
    // Fri 2025-01-10 18:00 IST → Mon 2025-01-13 08:00 IST
    expect(next(DEFAULT_SEND_WINDOW, 'Asia/Kolkata', '2025-01-10T12:30:00.000Z')).toEqual({ at: '2025-01-13T02:30:00.000Z', deferred: true });
  });

  it('Australia/Adelaide across its DST start (UTC+09:30 → UTC+10:30)', () => {
    // Fri 2025-10-03 18:00 ACST; DST starts Sun 2025-10-05; Mon 2025-10-06 08:00 ACDT is Sun 21:30Z
    expect(next(DEFAULT_SEND_WINDOW, 'Australia/Adelaide', '2025-10-03T08:30:00.000Z')).toEqual({ at: '2025-10-05T21:30:00.000Z', deferred: true });
  });

  it('a null window means any time', () => {
    expect(next(null, 'America/New_York', '2025-03-09T07:30:00.000Z')).toEqual({ at: '2025-03-09T07:30:00.000Z', deferred: false });
  });

  it('finds a slot a year ahead when holidays cover a whole year', () => {
    // Mondays only; every Monday of 2025 is a holiday → first Monday of 2026.
    const window: SendWindow = { days: [1], start: '08:00', end: '18:00', holidays: mondays('2025-01-06', 52) };
    expect(next(window, 'UTC', '2025-01-01T00:00:00.000Z')).toEqual({ at: '2026-01-05T08:00:00.000Z', deferred: true });
  });

  it('throws NO_SEND_TIME instead of looping when no allowed day exists within 400 days', () => {
    const window: SendWindow = { days: [1], start: '08:00', end: '18:00', holidays: mondays('2025-01-06', 104) };
    expect(thrownCode(() => nextSendTime(window, 'UTC', Date.parse('2025-01-01T00:00:00Z')))).toBe('NO_SEND_TIME');
    expect(thrownCode(() => nextSendTime({ days: [], start: '08:00', end: '18:00' }, 'UTC', 0))).toBe('NO_SEND_TIME');
  });

  it('throws typed errors for invalid input', () => {
    expect(thrownCode(() => nextSendTime(DEFAULT_SEND_WINDOW, 'Mars/Olympus', 0))).toBe('INVALID_TIME_ZONE');
    expect(thrownCode(() => nextSendTime({ days: [1], start: '18:00', end: '08:00' }, 'UTC', 0))).toBe('INVALID_WINDOW');
    expect(thrownCode(() => nextSendTime({ days: [1], start: '8:00', end: '18:00' }, 'UTC', 0))).toBe('INVALID_WINDOW');
    expect(thrownCode(() => nextSendTime(DEFAULT_SEND_WINDOW, 'UTC', Number.NaN))).toBe('INVALID_INSTANT');
  });
});

describe('isValidTimeZone / resolveTimeZone', () => {
  it('validates IANA zones', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Australia/Adelaide')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it("prefers the contact's zone, then the sequence's, then the fallback", () => {
    expect(resolveTimeZone('Asia/Kolkata', 'Europe/Berlin')).toBe('Asia/Kolkata');
    expect(resolveTimeZone(null, 'Europe/Berlin')).toBe('Europe/Berlin');
    expect(resolveTimeZone('Mars/Olympus', 'Europe/Berlin')).toBe('Europe/Berlin');
    expect(resolveTimeZone(undefined, null)).toBe('UTC');
    expect(resolveTimeZone('', 'nope', 'America/New_York')).toBe('America/New_York');
  });
});

describe('sendWindowSchema', () => {
  function issues(input: unknown): Array<{ path: PropertyKey[]; message: string }> {
    const result = sendWindowSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map(({ path, message }) => ({ path, message }));
  }

  it('accepts valid windows', () => {
    expect(issues(DEFAULT_SEND_WINDOW)).toEqual([]);
    expect(issues({ days: [7, 1], start: '00:00', end: '23:59', holidays: ['2024-02-29', '2025-12-25'] })).toEqual([]);
  });

  it('rejects bad days', () => {
    expect(issues({ ...DEFAULT_SEND_WINDOW, days: [] })).toEqual([{ path: ['days'], message: 'at least one day is required' }]);
    expect(issues({ ...DEFAULT_SEND_WINDOW, days: [1, 1] })).toEqual([{ path: ['days'], message: 'days must be unique' }]);
    expect(issues({ ...DEFAULT_SEND_WINDOW, days: [0, 8] })).toEqual([
      { path: ['days', 0], message: 'days are ISO weekdays 1 (Monday) to 7 (Sunday)' },
      { path: ['days', 1], message: 'days are ISO weekdays 1 (Monday) to 7 (Sunday)' },
    ]);
  });

  it('rejects bad times and start >= end', () => {
    expect(issues({ ...DEFAULT_SEND_WINDOW, start: '8:00', end: '24:00' })).toEqual([
      { path: ['start'], message: 'must be HH:MM between 00:00 and 23:59' },
      { path: ['end'], message: 'must be HH:MM between 00:00 and 23:59' },
    ]);
    expect(issues({ ...DEFAULT_SEND_WINDOW, start: '18:00', end: '08:00' })).toEqual([{ path: ['end'], message: 'start must be before end' }]);
    expect(issues({ ...DEFAULT_SEND_WINDOW, start: '09:00', end: '09:00' })).toEqual([{ path: ['end'], message: 'start must be before end' }]);
  });

  it('rejects invalid holiday dates', () => {
    expect(issues({ ...DEFAULT_SEND_WINDOW, holidays: ['2025-02-29', '2025-13-01', '25-12-25'] })).toEqual([
      { path: ['holidays', 0], message: 'must be a valid date YYYY-MM-DD' },
      { path: ['holidays', 1], message: 'must be a valid date YYYY-MM-DD' },
      { path: ['holidays', 2], message: 'must be a valid date YYYY-MM-DD' },
    ]);
  });
});
