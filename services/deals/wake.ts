/**
 * After a deal change commits, wake the automation workflow of each changed deal whose pipeline has
 * rules. The database already holds the change; the workflow reads it from there. A Temporal outage
 * is logged, not returned: the change stands, and the deal's next change (or a rule edit) wakes it.
 */
import { sql } from 'kysely';
import { wakeDealAutomations } from '../../temporal/deal-workflows';
import type { DealDeps } from './deps';

export async function wakeAutomationAfterCommit(deps: DealDeps, dealIds: readonly string[]): Promise<void> {
  if (!deps.temporal || dealIds.length === 0) return;
  const rows = await deps.db
    .selectFrom('deals')
    .select('id')
    .where('id', 'in', [...dealIds])
    .where(({ exists, selectFrom }) => exists(selectFrom('deal_rules').select(sql`1`.as('one')).whereRef('deal_rules.pipeline_id', '=', 'deals.pipeline_id').where('deal_rules.deleted_at', 'is', null)))
    .execute();
  const failed = await wakeDealAutomations(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, rows.map((r) => r.id));
  for (const { dealId, err } of failed) deps.log?.warn({ err, dealId }, 'could not wake the deal automation workflow; the change is saved and the next change wakes it');
}
