/** Tasks that `create_task` rules put on deals: listed, and completed by a person (activity on the deal). */
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import type { DealTaskRow } from '../../db/deal-tables';
import { systemClock } from '../../domain/clock';
import { actorLabel, type Actor } from '../actor';
import { conflict, notFound } from '../errors';
import { assertMayEditDeal } from './access';
import type { DealDeps } from './deps';
import { wakeAutomationAfterCommit } from './wake';

export async function listDealTasks(db: Db, dealId: string): Promise<DealTaskRow[]> {
  const deal = await db.selectFrom('deals').select('id').where('id', '=', dealId).executeTakeFirst();
  if (!deal) throw notFound('Deal', dealId);
  return db.selectFrom('deal_tasks').selectAll().where('deal_id', '=', dealId).orderBy('created_at').orderBy('id').execute();
}

export async function completeDealTask(deps: DealDeps, dealId: string, taskId: string, actor: Actor): Promise<DealTaskRow> {
  const now = new Date((deps.clock ?? systemClock)());
  const task = await deps.db.transaction().execute(async (tx) => {
    const deal = await tx.selectFrom('deals').select(['id', 'owner_id', 'company_id']).where('id', '=', dealId).forUpdate().executeTakeFirst();
    if (!deal) throw notFound('Deal', dealId);
    await assertMayEditDeal(tx, actor, deal);
    const row = await tx.selectFrom('deal_tasks').selectAll().where('id', '=', taskId).where('deal_id', '=', dealId).forUpdate().executeTakeFirst();
    if (!row) throw notFound('Task', taskId);
    if (row.completed_at) throw conflict('TASK_ALREADY_COMPLETED', `Task ${taskId} was completed at ${row.completed_at.toISOString()}.`);
    const done = await tx.updateTable('deal_tasks').set({ completed_at: now, completed_by: actor.userId }).where('id', '=', taskId).returningAll().executeTakeFirstOrThrow();
    await tx.updateTable('deals').set({ last_activity_at: now }).where('id', '=', dealId).execute();
    await recordActivity(tx, { dealId, companyId: deal.company_id, type: 'deal_task_completed', data: { taskId }, actor: actorLabel(actor) });
    return done;
  });
  await wakeAutomationAfterCommit(deps, [dealId]);
  return task;
}
