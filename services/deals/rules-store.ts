/** Reading deal automation rules as the pure domain sees them (domain/deals/automation.ts). */
import type { Db } from '../../db/database';
import type { DealRuleRow } from '../../db/deal-tables';
import type { DealRule } from '../../domain/deals/automation';

export function toDealRule(r: DealRuleRow): DealRule {
  return {
    id: r.id,
    trigger: { type: r.trigger_type, ...(r.trigger_stage_id && { stageId: r.trigger_stage_id }), ...(r.trigger_duration && { duration: r.trigger_duration }) },
    action: {
      type: r.action_type,
      ...(r.action_stage_id && { stageId: r.action_stage_id }),
      ...(r.action_sequence_id && { sequenceId: r.action_sequence_id }),
      ...(r.action_title && { title: r.action_title }),
      ...(r.action_due_in && { dueIn: r.action_due_in }),
    },
    createdAtMs: r.created_at.getTime(),
  };
}

/** The pipeline's live rules, oldest first (the order they fire in). */
export async function liveRules(db: Db, pipelineId: string): Promise<DealRuleRow[]> {
  return db.selectFrom('deal_rules').selectAll().where('pipeline_id', '=', pipelineId).where('deleted_at', 'is', null).orderBy('created_at').orderBy('id').execute();
}
