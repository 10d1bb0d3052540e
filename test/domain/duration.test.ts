import { formatDuration, parseIsoDuration } from '../../domain/duration';

describe('parseIsoDuration', () => {
  it.each([
    ['P1W', 604_800_000],
    ['P2D', 172_800_000],
    ['P0D', 0],
    ['PT0S', 0],
    ['PT4H', 14_400_000],
    ['PT1M', 60_000], // after T, M is minutes
    ['PT1H30M', 5_400_000],
    ['PT36H', 129_600_000],
    ['P1DT2H3M4.5S', 93_784_500],
    ['PT0.5S', 500],
    ['PT0,25S', 250],
    ['PT0.001S', 1],
    ['PT0.0005S', 1], // rounded half up to whole ms
    ['PT0.0004S', 0],
    [' p3d ', 259_200_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseIsoDuration(text)).toEqual({ ok: true, ms });
  });

  it.each(['P1M', 'P1Y', 'P1Y2M3D', 'P0.5Y', 'P2D1M'])('rejects months/years in %s', (text) => {
    expect(parseIsoDuration(text)).toEqual({ ok: false, error: 'months and years are ambiguous; use days (e.g. P30D)' });
  });

  it.each([
    ['', 'the duration is empty'],
    ['   ', 'the duration is empty'],
    ['-P1D', 'negative durations are not allowed'],
    ['P', '"P" has no amount: expected PnW or PnDTnHnMnS, e.g. P1W, P2D, PT4H30M or PT0.5S'],
    ['PT', '"PT" has no amount: expected PnW or PnDTnHnMnS, e.g. P1W, P2D, PT4H30M or PT0.5S'],
    ['P1DT', '"P1DT" has a "T" with no hours, minutes or seconds after it'],
    ['P1W2D', 'weeks cannot be combined with other units; use days (e.g. P9D)'],
    ['1D', '"1D" is not an ISO-8601 duration: expected PnW or PnDTnHnMnS, e.g. P1W, P2D, PT4H30M or PT0.5S'],
    ['P1H', '"P1H" is not a valid duration: expected PnW or PnDTnHnMnS, e.g. P1W, P2D, PT4H30M or PT0.5S'],
    ['PT1.5H', '"PT1.5H" is not a valid duration: expected PnW or PnDTnHnMnS, e.g. P1W, P2D, PT4H30M or PT0.5S'],
    ['PT1S2M', '"PT1S2M" is not a valid duration: expected PnW or PnDTnHnMnS, e.g. P1W, P2D, PT4H30M or PT0.5S'],
    ['P99999999999999999D', '"P99999999999999999D" is too large'],
  ])('rejects %j', (text, error) => {
    expect(parseIsoDuration(text)).toEqual({ ok: false, error });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 seconds'],
    [1, '0.001 seconds'],
    [500, '0.5 seconds'],
    [1_000, '1 second'],
    [90_000, '1 minute 30 seconds'],
    [3_600_000, '1 hour'],
    [93_784_500, '1 day 2 hours 3 minutes 4.5 seconds'],
    [604_800_000, '7 days'],
    [-172_800_000, '-2 days'],
    [Number.NaN, 'an invalid duration'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
