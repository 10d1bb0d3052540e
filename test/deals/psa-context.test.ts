/** The PSA sidebar gets the company's open deals by pipeline stage and its health score. */
import { bearer, call, callJson } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { uniqueTaskQueue } from '../harness/temporal';
import { createPipeline, dayFromToday, dealBody } from './fixtures';

const CRM_KEY = 'crm-key-psa-context-deals-0123456789';
let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext({ TEMPORAL_TASK_QUEUE: uniqueTaskQueue('psa-context-deals'), CRM_INTEGRATION_KEY: CRM_KEY });
});
afterAll(() => ctx.close());

it('lists open deals by stage (exact sums) and a health score with its components', async () => {
  const p = await createPipeline(ctx.app, ctx.keys.admin);
  const company = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/companies', { name: 'Initech' }, 201);
  await ctx.tdb.db.updateTable('companies').set({ psa_client_id: 'psa_cl_deals' }).where('id', '=', company.id).execute();
  const body = (stage: string, over: Record<string, unknown> = {}) => dealBody(p.id, p.stage(stage), { companyId: company.id, expectedCloseDate: dayFromToday(10), ...over });
  await call(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', body('Proposal', { amount: '0.10' }), 201);
  await call(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', body('Proposal', { amount: '0.20' }), 201);
  await call(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', body('Lead', { amount: '100.00', expectedCloseDate: dayFromToday(-5) }), 201);
  await call(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', body('Won'), 201); // not open: not listed
  // An overdue open task on one of its deals.
  const deal = (await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/deals?companyId=${company.id}&status=open&limit=1`, undefined, 200)).items[0];
  await ctx.tdb.db.insertInto('deal_tasks').values({ deal_id: deal.id, title: 'Call', due_at: new Date(Date.now() - 3_600_000) }).execute();

  const res = await ctx.app.inject({ method: 'GET', url: '/v1/psa/clients/psa_cl_deals/context', headers: bearer(CRM_KEY) });
  expect(res.statusCode).toBe(200);
  const context = res.json();
  expect(context.openDealsByStage).toEqual([
    { pipelineId: p.id, pipelineName: 'Sales', stageId: p.stage('Lead'), stageName: 'Lead', probability: 10, currency: 'EUR', count: 1, amount: '100.00', weighted: '10.00' },
    { pipelineId: p.id, pipelineName: 'Sales', stageId: p.stage('Proposal'), stageName: 'Proposal', probability: 50, currency: 'EUR', count: 2, amount: '0.30', weighted: '0.15' },
  ]);
  // 5 activity entries (company created + 4 deals) → 15; no email → 0; a current open deal → 25; one overdue task → 15.
  expect(context.health).toEqual({
    score: 55,
    components: [
      { name: 'recent_activity', points: 15, max: 30, detail: expect.stringContaining('5 activity-log entries') },
      { name: 'email_engagement', points: 0, max: 25, detail: expect.stringContaining('no email sent') },
      { name: 'open_pipeline', points: 25, max: 25, detail: '3 open deals, 2 not past their expected close date' },
      { name: 'overdue_tasks', points: 15, max: 20, detail: '1 open tasks past their due time' },
    ],
  });
});
