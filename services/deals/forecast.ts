/**
 * The forecast of one pipeline for a period, per currency: open deals (count, amount, weighted =
 * amount × stage probability), Closed Won in the period, by stage and by owner, and the deals left
 * out with their codes. PostgreSQL aggregates once, by (currency, stage, owner, close date in period);
 * each group is placed by the domain's forecast rules (the same ones `GET /v1/deals/:id/forecast`
 * explains with), and the left-out listing asks SQL only for the groups those rules left out.
 * Sums are exact: numeric in SQL, decimal.js here, strings in JSON.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import type { StageRow } from '../../db/deal-tables';
import { evaluateForecastRules, type ForecastPeriod } from '../../domain/deals/forecast-rules';
import { Decimal, formatMoney, weightedAmount } from '../../domain/deals/money';
import type { DealStatus } from '../../domain/deals/vocabulary';
import type { ReasonCode } from '../../domain/reason-codes';
import { notFound } from '../errors';

export interface ForecastQuery extends ForecastPeriod {
  pipelineId: string;
  ownerId?: string;
  /** How many left-out deals to list (their total is always counted). */
  leftOutLimit: number;
}

interface Totals {
  count: number;
  amount: Decimal;
  weighted: Decimal;
}

export interface MoneyTotals {
  count: number;
  amount: string;
  weighted?: string;
}

export interface CurrencyForecast {
  currency: string;
  open: MoneyTotals;
  closedWon: MoneyTotals;
  byStage: (MoneyTotals & { stageId: string; stageName: string; probability: number })[];
  byOwner: { ownerId: string; open: MoneyTotals; closedWon: MoneyTotals }[];
}

export interface LeftOutDeal {
  dealId: string;
  name: string;
  stageId: string;
  status: DealStatus;
  closeDate: string;
  currency: string;
  amount: string;
  codes: ReasonCode[];
}

export interface Forecast {
  pipelineId: string;
  period: ForecastPeriod;
  ownerId: string | null;
  currencies: CurrencyForecast[];
  leftOut: { count: number; byCode: Partial<Record<ReasonCode, number>>; deals: LeftOutDeal[]; truncated: boolean };
}

const zero = (): Totals => ({ count: 0, amount: new Decimal(0), weighted: new Decimal(0) });
const add = (t: Totals, count: number, amount: Decimal, weighted: Decimal) => {
  t.count += count;
  t.amount = t.amount.plus(amount);
  t.weighted = t.weighted.plus(weighted);
};
const out = (t: Totals, currency: string, weighted: boolean): MoneyTotals => ({ count: t.count, amount: formatMoney(t.amount, currency), ...(weighted && { weighted: formatMoney(t.weighted, currency) }) });

/** The forecast's close date: the day a closed deal closed, the expected day of an open one. */
const closeDate = sql<string>`coalesce(closed_on, expected_close_date)`;

export async function pipelineStages(db: Db, pipelineId: string): Promise<Map<string, StageRow>> {
  const pipeline = await db.selectFrom('pipelines').select('id').where('id', '=', pipelineId).executeTakeFirst();
  if (!pipeline) throw notFound('Pipeline', pipelineId);
  // Removed stages too: they still name the stage of history entries.
  const stages = await db.selectFrom('pipeline_stages').selectAll().where('pipeline_id', '=', pipelineId).orderBy('position').execute();
  return new Map(stages.map((s) => [s.id, s]));
}

export async function forecast(db: Db, q: ForecastQuery): Promise<Forecast> {
  const stages = await pipelineStages(db, q.pipelineId);
  let groupsQuery = db
    .selectFrom('deals')
    .select([
      'currency',
      'stage_id',
      'owner_id',
      sql<boolean>`${closeDate} between ${q.from}::date and ${q.to}::date`.as('in_period'),
      sql<string>`count(*)`.as('n'),
      sql<string>`sum(amount)`.as('total'),
    ])
    .where('pipeline_id', '=', q.pipelineId);
  if (q.ownerId) groupsQuery = groupsQuery.where('owner_id', '=', q.ownerId);
  const groups = await groupsQuery.groupBy(['currency', 'stage_id', 'owner_id', sql`4`]).execute();

  const perCurrency = new Map<string, { open: Totals; won: Totals; byStage: Map<string, Totals>; byOwner: Map<string, { open: Totals; won: Totals }> }>();
  const leftOutGroups = new Map<string, ReasonCode[]>();
  const byCode: Partial<Record<ReasonCode, number>> = {};
  let leftOutCount = 0;
  for (const g of groups) {
    const stage = stages.get(g.stage_id)!;
    const count = Number(g.n);
    const amount = new Decimal(g.total);
    const { placement } = evaluateForecastRules({ pipelineId: q.pipelineId, status: stage.kind, probability: stage.probability, closeDateInPeriod: g.in_period }, q.pipelineId);
    if (placement.kind === 'left_out') {
      leftOutCount += count;
      for (const code of placement.codes) byCode[code] = (byCode[code] ?? 0) + count;
      leftOutGroups.set(`${g.stage_id}|${g.in_period}`, placement.codes);
      continue;
    }
    let c = perCurrency.get(g.currency);
    if (!c) perCurrency.set(g.currency, (c = { open: zero(), won: zero(), byStage: new Map(), byOwner: new Map() }));
    let owner = c.byOwner.get(g.owner_id);
    if (!owner) c.byOwner.set(g.owner_id, (owner = { open: zero(), won: zero() }));
    if (placement.kind === 'open') {
      // Σ(amount × p) = (Σ amount) × p within a stage: exact either way.
      const weighted = weightedAmount(amount, stage.probability);
      add(c.open, count, amount, weighted);
      add(owner.open, count, amount, weighted);
      let s = c.byStage.get(stage.id);
      if (!s) c.byStage.set(stage.id, (s = zero()));
      add(s, count, amount, weighted);
    } else {
      add(c.won, count, amount, new Decimal(0));
      add(owner.won, count, amount, new Decimal(0));
    }
  }

  const currencies = [...perCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, c]): CurrencyForecast => ({
      currency,
      open: out(c.open, currency, true),
      closedWon: out(c.won, currency, false),
      byStage: [...c.byStage.entries()]
        .sort(([a], [b]) => stages.get(a)!.position - stages.get(b)!.position)
        .map(([stageId, t]) => ({ stageId, stageName: stages.get(stageId)!.name, probability: stages.get(stageId)!.probability, ...out(t, currency, true) })),
      byOwner: [...c.byOwner.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([ownerId, o]) => ({ ownerId, open: out(o.open, currency, true), closedWon: out(o.won, currency, false) })),
    }));

  const deals = await leftOutDeals(db, q, leftOutGroups);
  return {
    pipelineId: q.pipelineId,
    period: { from: q.from, to: q.to },
    ownerId: q.ownerId ?? null,
    currencies,
    leftOut: { count: leftOutCount, byCode, deals: deals.slice(0, q.leftOutLimit), truncated: deals.length > q.leftOutLimit },
  };
}

/** The first left-out deals in id order: only the (stage, in period) groups the rules left out. */
async function leftOutDeals(db: Db, q: ForecastQuery, groups: Map<string, ReasonCode[]>): Promise<LeftOutDeal[]> {
  if (groups.size === 0 || q.leftOutLimit === 0) return [];
  const pairs = [...groups.keys()].map((k) => {
    const [stageId, inPeriod] = k.split('|');
    return sql`(${stageId}::uuid, ${inPeriod === 'true'})`;
  });
  let query = db
    .selectFrom('deals')
    .select(['id', 'name', 'stage_id', 'status', 'currency', 'amount', closeDate.as('close_date'), sql<boolean>`${closeDate} between ${q.from}::date and ${q.to}::date`.as('in_period')])
    .where('pipeline_id', '=', q.pipelineId)
    .where(sql<boolean>`(stage_id, ${closeDate} between ${q.from}::date and ${q.to}::date) in (${sql.join(pairs)})`);
  if (q.ownerId) query = query.where('owner_id', '=', q.ownerId);
  const rows = await query.orderBy('id').limit(q.leftOutLimit + 1).execute();
  return rows.map((r) => ({
    dealId: r.id,
    name: r.name,
    stageId: r.stage_id,
    status: r.status,
    closeDate: r.close_date,
    currency: r.currency,
    amount: formatMoney(new Decimal(r.amount), r.currency),
    codes: groups.get(`${r.stage_id}|${r.in_period}`) ?? [],
  }));
}
