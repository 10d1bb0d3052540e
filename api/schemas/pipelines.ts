import { z } from 'zod';
import type { DealRuleRow, StageRow } from '../../db/deal-tables';
import { MAX_STAGES } from '../../domain/deals/pipeline-rules';
import { RULE_ACTION_TYPES, RULE_TRIGGER_TYPES, STAGE_CHANGE_RESTRICTIONS, STAGE_KINDS } from '../../domain/deals/vocabulary';
import { toDealRule } from '../../services/deals/rules-store';
import type { PipelineView } from '../../services/pipelines/pipelines';

const uuid = z.uuid({ message: 'must be a UUID' });
export const stageKind = z.enum(STAGE_KINDS);
export const stageRestriction = z.enum(STAGE_CHANGE_RESTRICTIONS);

// Names are only bounded here; the domain names a name over the stage limit (STAGE_NAME_TOO_LONG).
const stageInput = z.strictObject({
  id: uuid.optional(),
  name: z.string().trim().min(1).max(1000),
  probability: z.number().int().min(0).max(100),
  kind: stageKind,
  /** Accepted so a stage list read from GET can be sent back; the list's order decides the position. */
  position: z.number().int().optional(),
});

export const createPipelineBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  restrictStageChanges: stageRestriction.optional(),
  stages: z.array(stageInput).min(1).max(MAX_STAGES),
});

export const updatePipelineBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    restrictStageChanges: stageRestriction.optional(),
    stages: z.array(stageInput).min(1).max(MAX_STAGES).optional(),
    /** removed stage id → the id of the stage its deals move to */
    moveDealsTo: z.record(uuid, uuid).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field is required' });

const stageSchema = z.object({ id: z.string(), name: z.string(), position: z.number(), probability: z.number(), kind: stageKind }).meta({ id: 'PipelineStage' });

export const pipelineSchema = z
  .object({ id: z.string(), name: z.string(), restrictStageChanges: stageRestriction, stages: z.array(stageSchema), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'Pipeline' });

const toStageJson = (s: StageRow) => ({ id: s.id, name: s.name, position: s.position, probability: s.probability, kind: s.kind });

export const toPipelineJson = ({ pipeline, stages }: PipelineView): z.infer<typeof pipelineSchema> => ({
  id: pipeline.id,
  name: pipeline.name,
  restrictStageChanges: pipeline.restrict_stage_changes,
  stages: stages.map(toStageJson),
  createdAt: pipeline.created_at.toISOString(),
  updatedAt: pipeline.updated_at.toISOString(),
});

export const ruleBody = z.strictObject({
  trigger: z.strictObject({ type: z.enum(RULE_TRIGGER_TYPES), stageId: uuid.optional(), duration: z.string().trim().max(50).optional() }),
  action: z.strictObject({ type: z.enum(RULE_ACTION_TYPES), stageId: uuid.optional(), sequenceId: uuid.optional(), title: z.string().max(1000).optional(), dueIn: z.string().trim().max(50).optional() }),
});

export const ruleSchema = z
  .object({
    id: z.string(),
    pipelineId: z.string(),
    trigger: z.object({ type: z.enum(RULE_TRIGGER_TYPES), stageId: z.string().optional(), duration: z.string().optional() }),
    action: z.object({ type: z.enum(RULE_ACTION_TYPES), stageId: z.string().optional(), sequenceId: z.string().optional(), title: z.string().optional(), dueIn: z.string().optional() }),
    createdAt: z.string(),
  })
  .meta({ id: 'DealRule' });

export const toRuleJson = (r: DealRuleRow): z.infer<typeof ruleSchema> => {
  const { trigger, action } = toDealRule(r);
  return { id: r.id, pipelineId: r.pipeline_id, trigger, action, createdAt: r.created_at.toISOString() };
};
