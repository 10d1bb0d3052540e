/**
 * Why a deal is (not) in the forecast (RULES.md "Deals, pipelines, forecast"). The same function
 * classifies the forecast's aggregated rows and answers `GET /v1/deals/:id/forecast`, so "do" and
 * "why" cannot disagree. A deal's close date is its expected close date while open, and the date it
 * was won or lost once closed.
 */
import type { ReasonCode } from '../reason-codes';
import type { DealStatus } from './vocabulary';

/** An inclusive period of calendar dates, `YYYY-MM-DD`. */
export interface ForecastPeriod {
  from: string;
  to: string;
}

/** What the rules look at. `closeDateInPeriod` is `closeDateInPeriod()`, or the same predicate computed in SQL. */
export interface ForecastFacts {
  pipelineId: string;
  status: DealStatus;
  probability: number;
  closeDateInPeriod: boolean;
}

export interface ForecastRuleResult {
  rule: 'pipeline' | 'status' | 'period' | 'weighted value';
  code: ReasonCode;
  pass: boolean;
}

/** Where the deal lands: the open forecast, Closed Won of the period, or left out with its codes. */
export type ForecastPlacement = { kind: 'open' } | { kind: 'closed_won' } | { kind: 'left_out'; codes: ReasonCode[] };

export interface ForecastVerdict {
  placement: ForecastPlacement;
  rules: ForecastRuleResult[];
}

/** Inclusive; ISO calendar dates compare correctly as strings. */
export const closeDateInPeriod = (closeDate: string, period: ForecastPeriod): boolean => closeDate >= period.from && closeDate <= period.to;

export function evaluateForecastRules(facts: ForecastFacts, forecastPipelineId: string): ForecastVerdict {
  const rules: ForecastRuleResult[] = [
    { rule: 'pipeline', code: 'OTHER_PIPELINE', pass: facts.pipelineId === forecastPipelineId },
    { rule: 'status', code: 'DEAL_NOT_OPEN', pass: facts.status === 'open' },
    { rule: 'period', code: 'CLOSE_DATE_OUTSIDE_PERIOD', pass: facts.closeDateInPeriod },
    // Only open deals are weighted; a won deal's probability does not matter.
    { rule: 'weighted value', code: 'STAGE_PROBABILITY_ZERO', pass: facts.status !== 'open' || facts.probability > 0 },
  ];
  const failed = rules.filter((r) => !r.pass).map((r) => r.code);
  if (failed.length === 0) return { placement: { kind: 'open' }, rules };
  // Won in the period (of this pipeline): not in the active forecast, but counted as Closed Won.
  if (facts.status === 'won' && failed.length === 1) return { placement: { kind: 'closed_won' }, rules };
  return { placement: { kind: 'left_out', codes: failed }, rules };
}
