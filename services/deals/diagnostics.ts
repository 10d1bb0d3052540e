/**
 * Deal diagnostics: the pipeline's automation rules and what each did to this deal (fired, skipped
 * with its code, conflicts with manual moves), the stage-change restriction, open tasks, and the
 * forecast rules for the current month. "A rule keeps moving my deal back" is answered here.
 */
import type { Db } from '../../db/database';
import type { DealRuleFiringRow, DealRuleRow, DealTaskRow } from '../../db/deal-tables';
import { MANUAL_MOVE_GRACE_MS, RULE_CHAIN_LIMIT } from '../../domain/deals/automation';
import { monthOf } from '../../domain/deals/period';
import { systemClock, type Clock } from '../../domain/clock';
import { notFound } from '../errors';
import { explainDealForecast, type DealForecastExplanation } from './deal-forecast';
import { liveRules } from './rules-store';

export interface DealDiagnostics {
  dealId: string;
  workflowId: string;
  restrictStageChanges: string;
  manualMoveGraceMs: number;
  ruleChainLimit: number;
  rules: { rule: DealRuleRow; firings: DealRuleFiringRow[] }[];
  /** Firings of rules deleted since. */
  formerRuleFirings: DealRuleFiringRow[];
  openTasks: DealTaskRow[];
  forecastThisMonth: DealForecastExplanation;
}

const MAX_FIRINGS = 500;

export async function dealDiagnostics(deps: { db: Db; clock?: Clock }, dealId: string): Promise<DealDiagnostics> {
  const { db } = deps;
  const deal = await db.selectFrom('deals as d').innerJoin('pipelines as p', 'p.id', 'd.pipeline_id').select(['d.id', 'd.pipeline_id', 'p.restrict_stage_changes']).where('d.id', '=', dealId).executeTakeFirst();
  if (!deal) throw notFound('Deal', dealId);
  const rules = await liveRules(db, deal.pipeline_id);
  const firings = await db.selectFrom('deal_rule_firings').selectAll().where('deal_id', '=', dealId).orderBy('id', 'desc').limit(MAX_FIRINGS).execute();
  const openTasks = await db.selectFrom('deal_tasks').selectAll().where('deal_id', '=', dealId).where('completed_at', 'is', null).orderBy('due_at').execute();
  const live = new Set(rules.map((r) => r.id));
  return {
    dealId,
    workflowId: `deal-${dealId}`,
    restrictStageChanges: deal.restrict_stage_changes,
    manualMoveGraceMs: MANUAL_MOVE_GRACE_MS,
    ruleChainLimit: RULE_CHAIN_LIMIT,
    rules: rules.map((rule) => ({ rule, firings: firings.filter((f) => f.rule_id === rule.id) })),
    formerRuleFirings: firings.filter((f) => !live.has(f.rule_id)),
    openTasks,
    forecastThisMonth: await explainDealForecast(db, dealId, monthOf((deps.clock ?? systemClock)())),
  };
}
