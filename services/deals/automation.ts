/**
 * The deal automation's two steps, called by the `deal-<dealId>` workflow's activities:
 *  - plan: turn what happened since the last round (stage entries in the stage history; inactivity
 *    deadlines that passed) into rule firings, one row per (deal, rule, event), and say when the next
 *    inactivity rule is due;
 *  - run: perform one firing's action, or skip it with a reason code (RULE_CONFLICT, DEAL_CLOSED, …),
 *    recording the outcome on the firing, the stage history (moves, conflicts) and the activity log.
 * Both are idempotent: a retried activity finds the firing already planned or finished.
 */
import { SYSTEM_ACTOR } from '../actor';
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import type { DealRow, DealRuleFiringRow, DealRuleRow } from '../../db/deal-tables';
import type { Tx } from '../../db/lock-order';
import type { Clock } from '../../domain/clock';
import type { AppConfig } from '../../domain/config';
import { DEFAULT_TASK_DUE_IN, inactivityDeadlines, RULE_CHAIN_LIMIT, rulesTriggeredByEntry, skipBeforeAction, undoesManualMove, type ManualMove } from '../../domain/deals/automation';
import { parseIsoDuration } from '../../domain/duration';
import type { ReasonCode } from '../../domain/reason-codes';
import { enrollContacts } from '../enrollments/enroll';
import { promotionService } from '../promotions/promotions';
import { activeStages, lockDealWithPipeline } from './locks';
import { moveDeal } from './moves';
import { liveRules, toDealRule } from './rules-store';

export interface PlanInput {
  dealId: string;
  /** Stage-history entries up to this id were already planned. */
  afterHistoryId: string;
  /** The workflow's time: inactivity deadlines are judged by it (time skipping in tests). */
  nowMs: number;
}

export interface PlanResult {
  dealGone: boolean;
  afterHistoryId: string;
  /** Firings whose action is still to run, oldest first. */
  firingIds: string[];
  /** The earliest inactivity deadline still ahead, or null (no inactivity rule applies). */
  nextDueAtMs: number | null;
}

interface FiringPlan {
  ruleId: string;
  triggerKey: string;
  chainDepth: number;
  /** The stage the deal was in when the rule triggered: a move only happens if it is still there. */
  expectStageId: string;
}

async function insertFirings(db: Db, dealId: string, plans: FiringPlan[]): Promise<void> {
  if (plans.length === 0) return;
  await db
    .insertInto('deal_rule_firings')
    .values(plans.map((p) => ({ deal_id: dealId, rule_id: p.ruleId, trigger_key: p.triggerKey, chain_depth: p.chainDepth, status: 'planned' as const, result: JSON.stringify({ expectStageId: p.expectStageId }) })))
    .onConflict((oc) => oc.columns(['deal_id', 'rule_id', 'trigger_key']).doNothing())
    .execute();
}

export async function planDealRules(db: Db, input: PlanInput): Promise<PlanResult> {
  const deal = await db.selectFrom('deals').selectAll().where('id', '=', input.dealId).executeTakeFirst();
  if (!deal) return { dealGone: true, afterHistoryId: input.afterHistoryId, firingIds: [], nextDueAtMs: null };
  const rules = (await liveRules(db, deal.pipeline_id)).map(toDealRule);

  // Stage entries (creation and moves) since the last round.
  const entries = await db
    .selectFrom('deal_stage_history as h')
    .innerJoin('pipeline_stages as s', 's.id', 'h.to_stage_id')
    .select(['h.id', 'h.to_stage_id', 'h.rule_id', 'h.data', 'h.at', 's.kind'])
    .where('h.deal_id', '=', deal.id)
    .where('h.event', 'in', ['created', 'moved'])
    .where(sql<boolean>`h.id > ${input.afterHistoryId}::bigint`)
    .orderBy('h.id')
    .execute();
  const plans: FiringPlan[] = [];
  for (const entry of entries) {
    const triggered = rulesTriggeredByEntry(rules, { toStageId: entry.to_stage_id, toStageKind: entry.kind, atMs: entry.at.getTime() });
    if (triggered.length === 0) continue;
    const chainDepth = entry.rule_id ? (await depthOfFiring(db, entry.data.firingId)) + 1 : 0;
    for (const rule of triggered) plans.push({ ruleId: rule.id, triggerKey: `history:${entry.id}`, chainDepth, expectStageId: entry.to_stage_id });
  }

  // Inactivity: due rules fire once per spell of inactivity; the earliest one ahead sets the timer.
  let nextDueAtMs: number | null = null;
  if (deal.status === 'open') {
    for (const due of inactivityDeadlines(rules, deal.last_activity_at.getTime())) {
      if (due.dueAtMs <= input.nowMs) plans.push({ ruleId: due.rule.id, triggerKey: due.spellKey, chainDepth: 0, expectStageId: deal.stage_id });
      else nextDueAtMs = nextDueAtMs === null ? due.dueAtMs : Math.min(nextDueAtMs, due.dueAtMs);
    }
  }
  await insertFirings(db, deal.id, plans);
  const pending = await db.selectFrom('deal_rule_firings').select('id').where('deal_id', '=', deal.id).where('status', '=', 'planned').orderBy('id').execute();
  return { dealGone: false, afterHistoryId: entries.at(-1)?.id ?? input.afterHistoryId, firingIds: pending.map((f) => f.id), nextDueAtMs };
}

async function depthOfFiring(db: Db, firingId: unknown): Promise<number> {
  if (typeof firingId !== 'string' || !/^\d+$/.test(firingId)) return 0;
  const row = await db.selectFrom('deal_rule_firings').select('chain_depth').where('id', '=', firingId).executeTakeFirst();
  return row?.chain_depth ?? 0;
}

export interface RunDeps {
  db: Db;
  config: AppConfig;
  temporal?: Client;
  clock: Clock;
}

export interface RunResult {
  status: 'done' | 'skipped' | 'gone';
  code?: ReasonCode;
}

const ruleActor = (ruleId: string) => `rule:${ruleId}`;

async function finish(db: Db, firing: DealRuleFiringRow, status: 'done' | 'skipped', code: ReasonCode | null, result: Record<string, unknown>, now: Date): Promise<void> {
  await db
    .updateTable('deal_rule_firings')
    .set({ status, reason_code: code, result: JSON.stringify({ ...firing.result, ...result }), finished_at: now })
    .where('id', '=', firing.id)
    .where('status', '=', 'planned')
    .execute();
}

async function logOutcome(db: Db, deal: DealRow, rule: DealRuleRow, firing: DealRuleFiringRow, type: 'deal_rule_fired' | 'deal_rule_skipped' | 'deal_rule_conflict', code: ReasonCode | null, data: Record<string, unknown> = {}): Promise<void> {
  await recordActivity(db, {
    dealId: deal.id,
    companyId: deal.company_id,
    type,
    reasonCode: code,
    data: { ruleId: rule.id, firingId: firing.id, trigger: rule.trigger_type, action: rule.action_type, ...data },
    actor: ruleActor(rule.id),
    dedupeKey: `deal-rule-firing:${firing.id}`,
  });
}

async function skip(db: Db, deal: DealRow, rule: DealRuleRow, firing: DealRuleFiringRow, code: ReasonCode, now: Date, data: Record<string, unknown> = {}): Promise<RunResult> {
  await db.transaction().execute(async (tx) => {
    await finish(tx, firing, 'skipped', code, data, now);
    await logOutcome(tx, deal, rule, firing, code === 'RULE_CONFLICT' ? 'deal_rule_conflict' : 'deal_rule_skipped', code, data);
  });
  return { status: 'skipped', code };
}

export async function runDealRuleFiring(deps: RunDeps, firingId: string): Promise<RunResult> {
  const { db } = deps;
  const now = new Date(deps.clock());
  const firing = await db.selectFrom('deal_rule_firings').selectAll().where('id', '=', firingId).executeTakeFirst();
  if (!firing) return { status: 'gone' }; // the deal was deleted (its firings with it)
  if (firing.status !== 'planned') return { status: firing.status, ...(firing.reason_code && { code: firing.reason_code }) };
  const rule = await db.selectFrom('deal_rules').selectAll().where('id', '=', firing.rule_id).executeTakeFirstOrThrow();
  const deal = await db.selectFrom('deals').selectAll().where('id', '=', firing.deal_id).executeTakeFirst();
  if (!deal) return { status: 'gone' };
  if (rule.deleted_at) return skip(db, deal, rule, firing, 'RULE_DELETED', now);
  if (firing.chain_depth > RULE_CHAIN_LIMIT) return skip(db, deal, rule, firing, 'RULE_CHAIN_LIMIT', now, { chainDepth: firing.chain_depth });
  const contactCount = Number((await db.selectFrom('deal_contacts').select((eb) => eb.fn.countAll<string>().as('n')).where('deal_id', '=', deal.id).executeTakeFirstOrThrow()).n);
  const before = skipBeforeAction(toDealRule(rule), { status: deal.status, stageId: deal.stage_id, hasCompany: deal.company_id !== null, contactCount }, rule.trigger_type);
  if (before) return skip(db, deal, rule, firing, before, now);

  switch (rule.action_type) {
    case 'move_to_stage':
      return moveByRule(deps, rule, firing, now);
    case 'create_task':
      return createTask(db, deal, rule, firing, now);
    case 'enroll_contacts_in_sequence':
      return enrollDealContacts(deps, deal, rule, firing, now);
    case 'promote_company_to_psa':
      return promoteDealCompany(deps, deal, rule, firing, now);
  }
}

/** The deal's latest move by a person (not creation, not a rule). */
async function lastManualMove(tx: Tx, dealId: string): Promise<ManualMove | null> {
  const row = await tx
    .selectFrom('deal_stage_history')
    .select(['id', 'from_stage_id', 'to_stage_id', 'actor_user_id', 'at'])
    .where('deal_id', '=', dealId)
    .where('event', '=', 'moved')
    .where('rule_id', 'is', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { historyId: row.id, fromStageId: row.from_stage_id, toStageId: row.to_stage_id, byUserId: row.actor_user_id, atMs: row.at.getTime() } : null;
}

async function moveByRule(deps: RunDeps, rule: DealRuleRow, firing: DealRuleFiringRow, now: Date): Promise<RunResult> {
  return deps.db.transaction().execute(async (tx): Promise<RunResult> => {
    const { deal } = await lockDealWithPipeline(tx, firing.deal_id);
    const expectStageId = typeof firing.result.expectStageId === 'string' ? firing.result.expectStageId : deal.stage_id;
    const target = (await activeStages(tx, deal.pipeline_id)).find((s) => s.id === rule.action_stage_id);
    const skipIn = async (code: ReasonCode, data: Record<string, unknown> = {}): Promise<RunResult> => {
      await finish(tx, firing, 'skipped', code, data, now);
      await logOutcome(tx, deal, rule, firing, code === 'RULE_CONFLICT' ? 'deal_rule_conflict' : 'deal_rule_skipped', code, data);
      return { status: 'skipped', code };
    };
    if (deal.stage_id !== expectStageId) return skipIn('DEAL_STAGE_CHANGED', { expectStageId, stageId: deal.stage_id });
    if (!target || target.id === deal.stage_id) return skipIn('DEAL_ALREADY_IN_STAGE');
    const manual = await lastManualMove(tx, deal.id);
    if (undoesManualMove(target.id, manual, now.getTime())) {
      // Visible where people look: the stage history (naming the rule and the manual move) and the activity log.
      const data = { firingId: firing.id, manualMoveHistoryId: manual!.historyId, manualMoveByUserId: manual!.byUserId, manualMoveAt: new Date(manual!.atMs).toISOString() };
      await tx
        .insertInto('deal_stage_history')
        .values({ deal_id: deal.id, event: 'rule_conflict', from_stage_id: deal.stage_id, to_stage_id: target.id, rule_id: rule.id, reason_code: 'RULE_CONFLICT', data: JSON.stringify(data), deal_version: deal.version, at: now })
        .execute();
      return skipIn('RULE_CONFLICT', data);
    }
    const moved = await moveDeal(tx, deal, target, { kind: 'rule', ruleId: rule.id, firingId: firing.id }, { now });
    await finish(tx, firing, 'done', 'MOVED_BY_RULE', { fromStageId: deal.stage_id, toStageId: target.id, version: moved.version }, now);
    await logOutcome(tx, deal, rule, firing, 'deal_rule_fired', 'MOVED_BY_RULE', { toStageId: target.id });
    return { status: 'done', code: 'MOVED_BY_RULE' };
  });
}

async function createTask(db: Db, deal: DealRow, rule: DealRuleRow, firing: DealRuleFiringRow, now: Date): Promise<RunResult> {
  const dueIn = parseIsoDuration(rule.action_due_in ?? DEFAULT_TASK_DUE_IN);
  const dueAt = new Date(now.getTime() + (dueIn.ok ? dueIn.ms : 0));
  await db.transaction().execute(async (tx) => {
    const task = await tx
      .insertInto('deal_tasks')
      .values({ deal_id: deal.id, firing_id: firing.id, title: rule.action_title ?? 'Follow up on this deal', due_at: dueAt })
      .onConflict((oc) => oc.column('firing_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    await finish(tx, firing, 'done', null, { taskId: task?.id }, now);
    await recordActivity(tx, { dealId: deal.id, companyId: deal.company_id, type: 'deal_task_created', data: { taskId: task?.id, ruleId: rule.id, firingId: firing.id, dueAt: dueAt.toISOString() }, actor: ruleActor(rule.id), dedupeKey: `deal-task:${firing.id}` });
    await logOutcome(tx, deal, rule, firing, 'deal_rule_fired', null, { taskId: task?.id });
  });
  return { status: 'done' };
}

export class MissingTemporalClientError extends Error {
  override readonly name = 'MissingTemporalClientError';
}

function requireTemporal(deps: RunDeps): Client {
  if (!deps.temporal) throw new MissingTemporalClientError('Deal rules that enroll contacts or promote companies need a Temporal client (ActivityDeps.temporal).');
  return deps.temporal;
}

async function enrollDealContacts(deps: RunDeps, deal: DealRow, rule: DealRuleRow, firing: DealRuleFiringRow, now: Date): Promise<RunResult> {
  const contactIds = (await deps.db.selectFrom('deal_contacts').select('contact_id').where('deal_id', '=', deal.id).orderBy('contact_id').execute()).map((r) => r.contact_id);
  // The existing enrollment service: every rule per contact; a repeat reports ALREADY_ENROLLED, never a second enrollment.
  const results = await enrollContacts({ db: deps.db, temporal: requireTemporal(deps), config: deps.config }, rule.action_sequence_id!, contactIds, { actor: SYSTEM_ACTOR });
  const summary = results.map((r) => ({ contactId: r.contactId, status: r.status, ...(r.enrollmentId && { enrollmentId: r.enrollmentId }), reasons: r.reasons }));
  await deps.db.transaction().execute(async (tx) => {
    await finish(tx, firing, 'done', null, { sequenceId: rule.action_sequence_id, enrollments: summary }, now);
    await logOutcome(tx, deal, rule, firing, 'deal_rule_fired', null, { sequenceId: rule.action_sequence_id, enrollments: summary });
  });
  return { status: 'done' };
}

async function promoteDealCompany(deps: RunDeps, deal: DealRow, rule: DealRuleRow, firing: DealRuleFiringRow, now: Date): Promise<RunResult> {
  const companyId = deal.company_id!;
  // The existing promotion: a company already promoted (or being promoted) is never promoted twice.
  const { view, created } = await promotionService({ db: deps.db, temporal: requireTemporal(deps), config: deps.config }).promote(companyId, { userId: null, role: null });
  const code: ReasonCode | null = created ? null : 'COMPANY_ALREADY_PROMOTED';
  await deps.db.transaction().execute(async (tx) => {
    await finish(tx, firing, 'done', code, { companyId, promotionStatus: view.status, created }, now);
    await logOutcome(tx, deal, rule, firing, 'deal_rule_fired', code, { companyId, promotionStatus: view.status });
  });
  return { status: 'done', ...(code && { code }) };
}
