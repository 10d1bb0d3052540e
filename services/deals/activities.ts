/** A deal's activity log, newest first. */
import { pageByIdDescending, type Page } from '../../db/pagination';
import type { Db } from '../../db/database';
import type { ActivityRow } from '../../db/schema';
import { notFound } from '../errors';

export async function dealActivities(db: Db, dealId: string, page: { limit: number; cursor?: string }): Promise<Page<ActivityRow>> {
  const deal = await db.selectFrom('deals').select('id').where('id', '=', dealId).executeTakeFirst();
  if (!deal) throw notFound('Deal', dealId);
  return pageByIdDescending(db.selectFrom('activities').selectAll().where('deal_id', '=', dealId), page);
}
