/**
 * Lock order for deals: the pipeline row first (FOR UPDATE by a pipeline edit, FOR SHARE by anything
 * that moves or edits a deal), then deal rows in id order. So a deal can never move into a stage that
 * a concurrent pipeline edit is removing, and the two never deadlock.
 */
import type { Db } from '../../db/database';
import type { Tx } from '../../db/lock-order';
import type { DealRow, PipelineRow, StageRow } from '../../db/deal-tables';
import { notFound } from '../errors';

export async function lockPipeline(tx: Tx, pipelineId: string, mode: 'update' | 'share'): Promise<PipelineRow> {
  const q = tx.selectFrom('pipelines').selectAll().where('id', '=', pipelineId);
  const row = await (mode === 'update' ? q.forUpdate() : q.forShare()).executeTakeFirst();
  if (!row) throw notFound('Pipeline', pipelineId);
  return row;
}

/** Locks the deal and its pipeline (pipeline first); the pipeline read before locking is re-checked. */
export async function lockDealWithPipeline(tx: Tx, dealId: string): Promise<{ deal: DealRow; pipeline: PipelineRow }> {
  for (;;) {
    const peek = await tx.selectFrom('deals').select('pipeline_id').where('id', '=', dealId).executeTakeFirst();
    if (!peek) throw notFound('Deal', dealId);
    const pipeline = await lockPipeline(tx, peek.pipeline_id, 'share');
    const deal = await tx.selectFrom('deals').selectAll().where('id', '=', dealId).forUpdate().executeTakeFirst();
    if (!deal) throw notFound('Deal', dealId);
    // Moved to another pipeline in between: lock that one instead.
    if (deal.pipeline_id === pipeline.id) return { deal, pipeline };
  }
}

/** The pipeline's current (not removed) stages, in order. */
export function activeStages(tx: Db, pipelineId: string): Promise<StageRow[]> {
  return tx.selectFrom('pipeline_stages').selectAll().where('pipeline_id', '=', pipelineId).where('removed_at', 'is', null).orderBy('position').execute();
}
