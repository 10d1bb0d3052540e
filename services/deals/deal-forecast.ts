/**
 * "Why is this deal (not) in the forecast?": every forecast rule with pass/fail and a detail, by
 * the same domain function the forecast places its groups with.
 */
import type { Db } from '../../db/database';
import { closeDateInPeriod, evaluateForecastRules, type ForecastPeriod, type ForecastRuleResult } from '../../domain/deals/forecast-rules';
import { Decimal, formatMoney, weightedAmount } from '../../domain/deals/money';
import type { ReasonCode } from '../../domain/reason-codes';
import { notFound } from '../errors';

export interface DealForecastExplanation {
  dealId: string;
  pipelineId: string;
  period: ForecastPeriod;
  placement: 'open' | 'closed_won' | 'left_out';
  codes: ReasonCode[];
  closeDate: string;
  amount: string;
  currency: string;
  /** Weighted value when the deal is in the open forecast. */
  weighted: string | null;
  rules: (ForecastRuleResult & { detail: string })[];
}

export async function explainDealForecast(db: Db, dealId: string, q: ForecastPeriod & { pipelineId?: string }): Promise<DealForecastExplanation> {
  const deal = await db
    .selectFrom('deals as d')
    .innerJoin('pipeline_stages as s', 's.id', 'd.stage_id')
    .innerJoin('pipelines as p', 'p.id', 'd.pipeline_id')
    .select(['d.id', 'd.pipeline_id', 'd.status', 'd.amount', 'd.currency', 'd.expected_close_date', 'd.closed_on', 's.name as stage_name', 's.probability', 'p.name as pipeline_name'])
    .where('d.id', '=', dealId)
    .executeTakeFirst();
  if (!deal) throw notFound('Deal', dealId);
  const pipelineId = q.pipelineId ?? deal.pipeline_id;
  const closeDate = deal.closed_on ?? deal.expected_close_date;
  const inPeriod = closeDateInPeriod(closeDate, q);
  const verdict = evaluateForecastRules({ pipelineId: deal.pipeline_id, status: deal.status, probability: deal.probability, closeDateInPeriod: inPeriod }, pipelineId);
  const amount = new Decimal(deal.amount);
  const closeWord = deal.closed_on ? `closed on ${deal.closed_on}` : `expected to close on ${deal.expected_close_date}`;
  const details: Record<ForecastRuleResult['rule'], string> = {
    pipeline: pipelineId === deal.pipeline_id ? `in pipeline "${deal.pipeline_name}" (${deal.pipeline_id}), the forecast's` : `in pipeline "${deal.pipeline_name}" (${deal.pipeline_id}); the forecast is of pipeline ${pipelineId}`,
    status:
      deal.status === 'open' ? 'open' : deal.status === 'won' ? `won: not in the active forecast; ${inPeriod ? 'counted under Closed Won for this period' : 'closed outside this period, so not in its Closed Won either'}` : 'lost: excluded',
    period: `${closeWord}; the period is ${q.from} to ${q.to}`,
    'weighted value': deal.status !== 'open' ? 'not weighted (not open)' : `stage "${deal.stage_name}" has ${deal.probability} % probability: weighted ${formatMoney(weightedAmount(amount, deal.probability), deal.currency)} of ${formatMoney(amount, deal.currency)} ${deal.currency}`,
  };
  return {
    dealId,
    pipelineId,
    period: { from: q.from, to: q.to },
    placement: verdict.placement.kind,
    codes: verdict.placement.kind === 'left_out' ? verdict.placement.codes : [],
    closeDate,
    amount: formatMoney(amount, deal.currency),
    currency: deal.currency,
    weighted: verdict.placement.kind === 'open' ? formatMoney(weightedAmount(amount, deal.probability), deal.currency) : null,
    rules: verdict.rules.map((r) => ({ ...r, detail: details[r.rule] })),
  };
}
