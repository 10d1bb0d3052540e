/** The forecast period a request asks for: both bounds, or neither (the current calendar month, UTC). */
import { systemClock, type Clock } from '../../domain/clock';
import type { ForecastPeriod } from '../../domain/deals/forecast-rules';
import { isCalendarDate, monthOf } from '../../domain/deals/period';
import { invalidFields, type FieldProblem } from '../errors';

export function resolvePeriod(q: { from?: string; to?: string }, clock: Clock = systemClock): ForecastPeriod {
  if (q.from === undefined && q.to === undefined) return monthOf(clock());
  const problems: FieldProblem[] = [];
  for (const key of ['from', 'to'] as const) {
    const value = q[key];
    if (value === undefined) problems.push({ path: `querystring.${key}`, problem: 'is required when the other bound is given' });
    else if (!isCalendarDate(value)) problems.push({ path: `querystring.${key}`, problem: 'is not a calendar date' });
  }
  if (problems.length === 0 && q.from! > q.to!) problems.push({ path: 'querystring.to', problem: 'is before from' });
  if (problems.length) throw invalidFields(problems);
  return { from: q.from!, to: q.to! };
}
