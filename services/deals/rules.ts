/**
 * Deal automation rules per pipeline (admins). A rule acts on events after its creation. A new
 * `no_activity_for` rule wakes the automation of every open deal of the pipeline (each sets its
 * timer); event rules need nothing: the deal's next stage entry starts its workflow.
 */
import type { DealRuleRow } from '../../db/deal-tables';
import { validateRule, type RuleAction, type RuleTrigger } from '../../domain/deals/automation';
import { wakeDealAutomations } from '../../temporal/deal-workflows';
import type { Actor } from '../actor';
import { invalidFields, notFound } from '../errors';
import type { DealDeps } from './deps';
import { activeStages } from './locks';
import { liveRules } from './rules-store';
import { systemClock } from '../../domain/clock';

export async function createRule(deps: DealDeps, pipelineId: string, body: { trigger: RuleTrigger; action: RuleAction }, actor: Actor): Promise<DealRuleRow> {
  const { db } = deps;
  const pipeline = await db.selectFrom('pipelines').select('id').where('id', '=', pipelineId).executeTakeFirst();
  if (!pipeline) throw notFound('Pipeline', pipelineId);
  const stageIds = new Set((await activeStages(db, pipelineId)).map((s) => s.id));
  const problems = validateRule(body.trigger, body.action, stageIds);
  if (body.action.sequenceId) {
    const seq = await db.selectFrom('sequences').select('id').where('id', '=', body.action.sequenceId).executeTakeFirst();
    if (!seq) problems.push({ path: 'body.action.sequenceId', problem: 'no sequence with this id' });
  }
  if (problems.length) throw invalidFields(problems);
  const { trigger, action } = body;
  const rule = await db
    .insertInto('deal_rules')
    .values({
      pipeline_id: pipelineId,
      trigger_type: trigger.type,
      trigger_stage_id: trigger.stageId ?? null,
      trigger_duration: trigger.duration ?? null,
      action_type: action.type,
      action_stage_id: action.stageId ?? null,
      action_sequence_id: action.sequenceId ?? null,
      action_title: action.title?.trim() ?? null,
      action_due_in: action.dueIn ?? null,
      created_by: actor.userId,
      created_at: new Date((deps.clock ?? systemClock)()),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (trigger.type === 'no_activity_for' && deps.temporal) {
    const open = await db.selectFrom('deals').select('id').where('pipeline_id', '=', pipelineId).where('status', '=', 'open').execute();
    const failed = await wakeDealAutomations(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, open.map((d) => d.id));
    for (const { err, dealId } of failed) deps.log?.warn({ err, dealId, ruleId: rule.id }, 'could not start the deal automation workflow for a new inactivity rule');
  }
  return rule;
}

export async function listRules(deps: Pick<DealDeps, 'db'>, pipelineId: string): Promise<DealRuleRow[]> {
  const pipeline = await deps.db.selectFrom('pipelines').select('id').where('id', '=', pipelineId).executeTakeFirst();
  if (!pipeline) throw notFound('Pipeline', pipelineId);
  return liveRules(deps.db, pipelineId);
}

/** Soft delete: firings keep naming the rule. Workflows waiting on its timer find it gone when they wake. */
export async function deleteRule(deps: Pick<DealDeps, 'db' | 'clock'>, pipelineId: string, ruleId: string): Promise<void> {
  const row = await deps.db
    .updateTable('deal_rules')
    .set({ deleted_at: new Date((deps.clock ?? systemClock)()) })
    .where('id', '=', ruleId)
    .where('pipeline_id', '=', pipelineId)
    .where('deleted_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (!row) throw notFound('Rule', ruleId);
}
