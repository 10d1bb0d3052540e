/** The forecast and "why is this deal (not) in it": each code, exact sums, per currency, stage and owner. */
import { call, callJson } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { uniqueTaskQueue } from '../harness/temporal';
import { createPipeline, dayFromToday, dealBody, patchDeal } from './fixtures';

let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext({ TEMPORAL_TASK_QUEUE: uniqueTaskQueue('forecast-api') });
});
afterAll(() => ctx.close());

const thisMonth = () => {
  const now = new Date();
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0));
  return { from: `${now.toISOString().slice(0, 7)}-01`, to: last.toISOString().slice(0, 10), mid: `${now.toISOString().slice(0, 7)}-15` };
};
const nextQuarterDay = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 4, 10)).toISOString().slice(0, 10);
};

describe('forecast', () => {
  it('holds only the open deal of this month; the 0 % deal and the next-quarter deal are left out and explained', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    const m = thisMonth();
    const zero = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Cold'), { name: 'Zero', expectedCloseDate: m.mid }), 201);
    const later = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Proposal'), { name: 'Later', expectedCloseDate: nextQuarterDay() }), 201);
    const now = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Proposal'), { name: 'Now', amount: '2000.00', expectedCloseDate: m.mid }), 201);

    // No period: the current month.
    const f = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/forecast?pipelineId=${p.id}`, undefined, 200);
    expect(f.period).toEqual({ from: m.from, to: m.to });
    expect(f.currencies).toEqual([{
      currency: 'EUR',
      open: { count: 1, amount: '2000.00', weighted: '1000.00' },
      closedWon: { count: 0, amount: '0.00' },
      byStage: [{ stageId: p.stage('Proposal'), stageName: 'Proposal', probability: 50, count: 1, amount: '2000.00', weighted: '1000.00' }],
      byOwner: [{ ownerId: ctx.keys.userIds.rep, open: { count: 1, amount: '2000.00', weighted: '1000.00' }, closedWon: { count: 0, amount: '0.00' } }],
    }]);
    expect(f.leftOut).toMatchObject({ count: 2, byCode: { STAGE_PROBABILITY_ZERO: 1, CLOSE_DATE_OUTSIDE_PERIOD: 1 }, truncated: false });
    expect(f.leftOut.deals.map((d: { dealId: string; codes: string[] }) => [d.dealId, d.codes]).sort()).toEqual([[zero.id, ['STAGE_PROBABILITY_ZERO']], [later.id, ['CLOSE_DATE_OUTSIDE_PERIOD']]].sort());

    // Each deal explains itself with every rule, by the same rules.
    const why = async (id: string) => callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/deals/${id}/forecast?from=${m.from}&to=${m.to}`, undefined, 200);
    expect(await why(now.id)).toMatchObject({ placement: 'open', codes: [], weighted: '1000.00' });
    const zeroWhy = await why(zero.id);
    expect(zeroWhy).toMatchObject({ placement: 'left_out', codes: ['STAGE_PROBABILITY_ZERO'] });
    expect(zeroWhy.rules.find((r: { code: string }) => r.code === 'STAGE_PROBABILITY_ZERO').detail).toContain('"Cold" has 0 % probability');
    const laterWhy = await why(later.id);
    expect(laterWhy.rules.map((r: { code: string; pass: boolean }) => [r.code, r.pass])).toEqual([['OTHER_PIPELINE', true], ['DEAL_NOT_OPEN', true], ['CLOSE_DATE_OUTSIDE_PERIOD', false], ['STAGE_PROBABILITY_ZERO', true]]);
  });

  it('shows won deals under Closed Won, excludes lost ones with DEAL_NOT_OPEN, and explains OTHER_PIPELINE', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    const other = await createPipeline(ctx.app, ctx.keys.admin);
    const m = thisMonth();
    const won = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Proposal'), { amount: '700.00', expectedCloseDate: dayFromToday(200) }), 201);
    await patchDeal(ctx.app, ctx.keys.rep, won.id, 1, { stageId: p.stage('Won') }); // closed today: in this month's Closed Won
    const lost = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lost'), { expectedCloseDate: m.mid }), 201);
    const elsewhere = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(other.id, other.stage('Proposal'), { expectedCloseDate: m.mid }), 201);

    const f = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/forecast?pipelineId=${p.id}&from=${m.from}&to=${m.to}`, undefined, 200);
    expect(f.currencies[0]).toMatchObject({ open: { count: 0 }, closedWon: { count: 1, amount: '700.00' } });
    expect(f.leftOut.deals.map((d: { dealId: string; codes: string[] }) => [d.dealId, d.codes])).toEqual([[lost.id, ['DEAL_NOT_OPEN']]]);

    const wonWhy = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/deals/${won.id}/forecast?from=${m.from}&to=${m.to}`, undefined, 200);
    expect(wonWhy).toMatchObject({ placement: 'closed_won', codes: [] });
    expect(wonWhy.rules.find((r: { code: string }) => r.code === 'DEAL_NOT_OPEN')).toMatchObject({ pass: false, detail: expect.stringContaining('counted under Closed Won') });
    const otherWhy = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/deals/${elsewhere.id}/forecast?pipelineId=${p.id}&from=${m.from}&to=${m.to}`, undefined, 200);
    expect(otherWhy).toMatchObject({ placement: 'left_out', codes: ['OTHER_PIPELINE'] });
  });

  it('sums exactly: ten 0.10 deals and 0.20 make 1.20; large amounts keep every digit; currencies stay apart', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    const m = thisMonth();
    for (let i = 0; i < 10; i++) await call(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Proposal'), { amount: '0.1', expectedCloseDate: m.mid }), 201);
    await call(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead'), { amount: '0.2', expectedCloseDate: m.mid }), 201);
    for (let i = 0; i < 3; i++) await call(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Proposal'), { amount: '999999999999999999.99', currency: 'USD', expectedCloseDate: m.mid }), 201);
    await call(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead'), { amount: '1001', currency: 'JPY', expectedCloseDate: m.mid }), 201);
    const f = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/forecast?pipelineId=${p.id}&from=${m.from}&to=${m.to}`, undefined, 200);
    const by = Object.fromEntries(f.currencies.map((c: { currency: string; open: unknown }) => [c.currency, c.open]));
    // 10 × 0.10 × 50 % + 0.20 × 10 % = 0.50 + 0.02
    expect(by.EUR).toEqual({ count: 11, amount: '1.20', weighted: '0.52' });
    expect(by.USD).toEqual({ count: 3, amount: '2999999999999999999.97', weighted: '1499999999999999999.985' });
    expect(by.JPY).toEqual({ count: 1, amount: '1001', weighted: '100.1' });
  });

  it('filters by owner and refuses half a period', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    const m = thisMonth();
    await call(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Proposal'), { expectedCloseDate: m.mid }), 201);
    await call(ctx.app, ctx.keys.admin, 'POST', '/v1/deals', dealBody(p.id, p.stage('Proposal'), { expectedCloseDate: m.mid }), 201);
    const mine = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/forecast?pipelineId=${p.id}&ownerId=${ctx.keys.userIds.admin}`, undefined, 200);
    expect(mine.currencies[0].byOwner.map((o: { ownerId: string }) => o.ownerId)).toEqual([ctx.keys.userIds.admin]);
    const half = await call(ctx.app, ctx.keys.rep, 'GET', `/v1/forecast?pipelineId=${p.id}&from=${m.from}`, undefined, 400);
    expect(half.json().error.details[0].path).toBe('querystring.to');
  });
});
