/** A deal's stage history: every stage it entered, who or which rule moved it, and rule moves that did not happen (RULE_CONFLICT). */
import type { Db } from '../../db/database';
import type { StageHistoryRow } from '../../db/deal-tables';
import { notFound } from '../errors';

export type StageHistoryEntry = StageHistoryRow & { from_stage_name: string | null; to_stage_name: string };

/** Deals have few moves; the list is capped to stay bounded. */
const MAX_ENTRIES = 1000;

export async function stageHistory(db: Db, dealId: string): Promise<StageHistoryEntry[]> {
  const deal = await db.selectFrom('deals').select('id').where('id', '=', dealId).executeTakeFirst();
  if (!deal) throw notFound('Deal', dealId);
  return db
    .selectFrom('deal_stage_history as h')
    .innerJoin('pipeline_stages as t', 't.id', 'h.to_stage_id')
    .leftJoin('pipeline_stages as f', 'f.id', 'h.from_stage_id')
    .selectAll('h')
    .select(['t.name as to_stage_name', 'f.name as from_stage_name'])
    .where('h.deal_id', '=', dealId)
    .orderBy('h.id')
    .limit(MAX_ENTRIES)
    .execute();
}
