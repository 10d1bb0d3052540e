/**
 * Pipelines (admins write; reps, admins and operators read): ordered stages with stable ids. A save
 * validates everything at once (domain/deals/pipeline-rules.ts) and names each problem. Removing a
 * stage that holds deals needs a target stage (`moveDealsTo`); its deals move there, recorded in their
 * stage history. A stage whose kind changes takes its deals' status with it.
 */
import type { Db } from '../../db/database';
import type { PipelineRow, StageRow } from '../../db/deal-tables';
import type { Tx } from '../../db/lock-order';
import { pageInCreationOrder, type Page } from '../../db/pagination';
import { validateStages, type PipelineProblem, type StageInput } from '../../domain/deals/pipeline-rules';
import { isoDate } from '../../domain/deals/period';
import type { StageChangeRestriction } from '../../domain/deals/vocabulary';
import { systemClock, type Clock } from '../../domain/clock';
import type { Actor } from '../actor';
import { invalidFields, notFound, type FieldProblem } from '../errors';
import { activeStages, lockPipeline } from '../deals/locks';
import { moveDeal } from '../deals/moves';

export interface PipelineView {
  pipeline: PipelineRow;
  stages: StageRow[];
}

export interface PipelineFields {
  name: string;
  restrictStageChanges?: StageChangeRestriction;
  stages: StageInput[];
}

export interface PipelineUpdate {
  name?: string;
  restrictStageChanges?: StageChangeRestriction;
  stages?: StageInput[];
  /** removed stage id → the stage its deals move to */
  moveDealsTo?: Record<string, string>;
}

const withCodes = (problems: PipelineProblem[]): FieldProblem[] => problems.map((p) => ({ path: p.path, problem: p.code ? `${p.code}: ${p.problem}` : p.problem, ...(p.code && { code: p.code }) }));

function refuse(problems: PipelineProblem[]): never {
  throw invalidFields(withCodes(problems));
}

export async function createPipeline(db: Db, body: PipelineFields): Promise<PipelineView> {
  const problems = validateStages(body.stages);
  if (problems.length) refuse(problems);
  return db.transaction().execute(async (tx) => {
    const pipeline = await tx.insertInto('pipelines').values({ name: body.name, restrict_stage_changes: body.restrictStageChanges }).returningAll().executeTakeFirstOrThrow();
    const stages = await tx
      .insertInto('pipeline_stages')
      .values(body.stages.map((s, position) => ({ pipeline_id: pipeline.id, name: s.name.trim(), probability: s.probability, kind: s.kind, position })))
      .returningAll()
      .execute();
    return { pipeline, stages: stages.sort((a, b) => a.position - b.position) };
  });
}

export async function getPipeline(db: Db, id: string): Promise<PipelineView> {
  const pipeline = await db.selectFrom('pipelines').selectAll().where('id', '=', id).executeTakeFirst();
  if (!pipeline) throw notFound('Pipeline', id);
  return { pipeline, stages: await activeStages(db, id) };
}

export async function listPipelines(db: Db, page: { limit: number; cursor?: string }): Promise<Page<PipelineView>> {
  const { rows, nextCursor } = await pageInCreationOrder(db.selectFrom('pipelines').selectAll(), page);
  const stages = rows.length ? await db.selectFrom('pipeline_stages').selectAll().where('pipeline_id', 'in', rows.map((r) => r.id)).where('removed_at', 'is', null).orderBy('position').execute() : [];
  return { rows: rows.map((pipeline) => ({ pipeline, stages: stages.filter((s) => s.pipeline_id === pipeline.id) })), nextCursor };
}

/** Applies an edit; returns the pipeline and the deals that moved (their automation is woken after commit). */
export async function updatePipeline(deps: { db: Db; clock?: Clock }, id: string, body: PipelineUpdate, actor: Actor): Promise<{ view: PipelineView; movedDealIds: string[] }> {
  const now = new Date((deps.clock ?? systemClock)());
  return deps.db.transaction().execute(async (tx) => {
    await lockPipeline(tx, id, 'update');
    const movedDealIds = body.stages ? await replaceStages(tx, id, body.stages, body.moveDealsTo ?? {}, actor, now) : [];
    if (!body.stages && body.moveDealsTo) throw invalidFields([{ path: 'body.moveDealsTo', problem: 'is used only together with stages' }]);
    const pipeline = await tx
      .updateTable('pipelines')
      .set({ ...(body.name !== undefined && { name: body.name }), ...(body.restrictStageChanges !== undefined && { restrict_stage_changes: body.restrictStageChanges }), updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { view: { pipeline, stages: await activeStages(tx, id) }, movedDealIds };
  });
}

async function replaceStages(tx: Tx, pipelineId: string, stages: StageInput[], moveDealsTo: Record<string, string>, actor: Actor, now: Date): Promise<string[]> {
  const current = await activeStages(tx, pipelineId);
  const byId = new Map(current.map((s) => [s.id, s]));
  const problems = validateStages(stages, new Set(byId.keys()));
  const keptIds = new Set(stages.flatMap((s) => (s.id ? [s.id] : [])));
  const removed = current.filter((s) => !keptIds.has(s.id));
  const counts = await dealCounts(tx, removed.map((s) => s.id));
  for (const stage of removed) {
    const held = counts.get(stage.id) ?? 0;
    const target = moveDealsTo[stage.id];
    if (held > 0 && target === undefined) {
      problems.push({ path: `body.moveDealsTo.${stage.id}`, problem: `stage "${stage.name}" holds ${held} deal${held === 1 ? '' : 's'}: name the stage they move to`, code: 'STAGE_HAS_DEALS' });
    }
  }
  for (const [from, to] of Object.entries(moveDealsTo)) {
    if (!removed.some((s) => s.id === from)) problems.push({ path: `body.moveDealsTo.${from}`, problem: 'is not a stage this save removes' });
    if (!keptIds.has(to)) problems.push({ path: `body.moveDealsTo.${from}`, problem: 'must be the id of a stage the pipeline keeps' });
  }
  const usedByRules = removed.length
    ? await tx.selectFrom('deal_rules').select(['id', 'trigger_stage_id', 'action_stage_id']).where('pipeline_id', '=', pipelineId).where('deleted_at', 'is', null)
      .where((eb) => eb.or([eb('trigger_stage_id', 'in', removed.map((s) => s.id)), eb('action_stage_id', 'in', removed.map((s) => s.id))])).execute()
    : [];
  for (const rule of usedByRules) problems.push({ path: 'body.stages', problem: `a removed stage is used by automation rule ${rule.id}; delete the rule first` });
  if (problems.length) refuse(problems);

  // Kept stages: new name, probability, kind and position. New stages: inserted.
  const saved: StageRow[] = [];
  for (const [position, s] of stages.entries()) {
    const values = { name: s.name.trim(), probability: s.probability, kind: s.kind, position };
    saved.push(
      s.id
        ? await tx.updateTable('pipeline_stages').set(values).where('id', '=', s.id).returningAll().executeTakeFirstOrThrow()
        : await tx.insertInto('pipeline_stages').values({ ...values, pipeline_id: pipelineId }).returningAll().executeTakeFirstOrThrow(),
    );
  }
  // A stage whose kind changed: its deals' status follows (not a move, but a new version).
  for (const stage of saved) {
    const before = byId.get(stage.id);
    if (before && before.kind !== stage.kind) {
      await tx
        .updateTable('deals')
        .set((eb) => ({ status: stage.kind, closed_on: stage.kind === 'open' ? null : isoDate(now), version: eb('version', '+', 1), updated_at: now }))
        .where('stage_id', '=', stage.id)
        .execute();
    }
  }
  const moved: string[] = [];
  for (const stage of removed) {
    const target = saved.find((s) => s.id === moveDealsTo[stage.id]);
    if (target) {
      const deals = await tx.selectFrom('deals').selectAll().where('stage_id', '=', stage.id).orderBy('id').forUpdate().execute();
      for (const deal of deals) {
        await moveDeal(tx, deal, target, { kind: 'user', userId: actor.userId }, { now, reasonCode: 'STAGE_REMOVED_DEALS_MOVED', data: { removedStageId: stage.id } });
        moved.push(deal.id);
      }
    }
    await tx.updateTable('pipeline_stages').set({ removed_at: now }).where('id', '=', stage.id).execute();
  }
  return moved;
}

async function dealCounts(tx: Tx, stageIds: string[]): Promise<Map<string, number>> {
  if (stageIds.length === 0) return new Map();
  const rows = await tx.selectFrom('deals').select(['stage_id', (eb) => eb.fn.countAll<string>().as('n')]).where('stage_id', 'in', stageIds).groupBy('stage_id').execute();
  return new Map(rows.map((r) => [r.stage_id, Number(r.n)]));
}
