/**
 * A company's pipeline and health, for the PSA sidebar: its open deals by pipeline stage (per
 * currency, exact sums) and the health score of domain/deals/health-score.ts.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { healthScore, HEALTH_WINDOWS, type HealthScore } from '../../domain/deals/health-score';
import { Decimal, formatMoney, weightedAmount } from '../../domain/deals/money';
import { isoDate } from '../../domain/deals/period';

export interface OpenStageSummary {
  pipelineId: string;
  pipelineName: string;
  stageId: string;
  stageName: string;
  probability: number;
  currency: string;
  count: number;
  amount: string;
  weighted: string;
}

const DAY = 24 * 60 * 60 * 1000;

export async function companyOpenDealsByStage(db: Db, companyId: string): Promise<OpenStageSummary[]> {
  const rows = await db
    .selectFrom('deals as d')
    .innerJoin('pipeline_stages as s', 's.id', 'd.stage_id')
    .innerJoin('pipelines as p', 'p.id', 'd.pipeline_id')
    .select(['p.id as pipeline_id', 'p.name as pipeline_name', 's.id as stage_id', 's.name as stage_name', 's.probability', 's.position', 'd.currency', sql<string>`count(*)`.as('n'), sql<string>`sum(d.amount)`.as('total')])
    .where('d.company_id', '=', companyId)
    .where('d.status', '=', 'open')
    .groupBy(['p.id', 'p.name', 's.id', 's.name', 's.probability', 's.position', 'd.currency'])
    .orderBy('p.name')
    .orderBy('s.position')
    .orderBy('d.currency')
    .execute();
  return rows.map((r) => {
    const amount = new Decimal(r.total);
    return { pipelineId: r.pipeline_id, pipelineName: r.pipeline_name, stageId: r.stage_id, stageName: r.stage_name, probability: r.probability, currency: r.currency, count: Number(r.n), amount: formatMoney(amount, r.currency), weighted: formatMoney(weightedAmount(amount, r.probability), r.currency) };
  });
}

export async function companyHealth(db: Db, companyId: string, nowMs: number): Promise<HealthScore> {
  const now = new Date(nowMs);
  const activitySince = new Date(nowMs - HEALTH_WINDOWS.activityDays * DAY);
  const emailSince = new Date(nowMs - HEALTH_WINDOWS.emailDays * DAY);
  const contactIds = db.selectFrom('contacts').select('id').where('company_id', '=', companyId);
  const dealIds = db.selectFrom('deals').select('id').where('company_id', '=', companyId);
  const about = db.selectFrom('activities').where((eb) => eb.or([eb('company_id', '=', companyId), eb('contact_id', 'in', contactIds), eb('deal_id', 'in', dealIds)]));
  const [activity, email, deals, tasks] = await Promise.all([
    about.select(sql<string>`count(*)`.as('n')).where('occurred_at', '>=', activitySince).executeTakeFirstOrThrow(),
    about
      .select([sql<string>`count(*) filter (where type = 'email_sent')`.as('sent'), sql<string>`count(*) filter (where type in ('email_opened', 'email_clicked', 'replied'))`.as('engaged')])
      .where('occurred_at', '>=', emailSince)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('deals')
      .select([sql<string>`count(*)`.as('open'), sql<string>`count(*) filter (where expected_close_date >= ${isoDate(now)}::date)`.as('current')])
      .where('company_id', '=', companyId)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('deal_tasks as t')
      .innerJoin('deals as d', 'd.id', 't.deal_id')
      .select(sql<string>`count(*)`.as('n'))
      .where('d.company_id', '=', companyId)
      .where('t.completed_at', 'is', null)
      .where('t.due_at', '<', now)
      .executeTakeFirstOrThrow(),
  ]);
  return healthScore({
    activities30d: Number(activity.n),
    emailsSent90d: Number(email.sent),
    emailEngagements90d: Number(email.engaged),
    openDeals: Number(deals.open),
    openDealsNotOverdue: Number(deals.current),
    overdueTasks: Number(tasks.n),
  });
}
