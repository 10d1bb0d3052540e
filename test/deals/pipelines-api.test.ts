/** Pipelines: every stage problem named at once, stable stage ids, removing a stage that holds deals, permissions. */
import { call, callJson } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { uniqueTaskQueue } from '../harness/temporal';
import { createPipeline, dealBody, standardStages } from './fixtures';

let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext({ TEMPORAL_TASK_QUEUE: uniqueTaskQueue('pipelines-api') });
});
afterAll(() => ctx.close());

describe('pipelines', () => {
  it('refuses a pipeline without a Lost stage with 400 naming PIPELINE_WON_LOST_REQUIRED, then accepts the fixed one', async () => {
    const stages = standardStages.filter((s) => s.kind !== 'lost');
    const res = await call(ctx.app, ctx.keys.admin, 'POST', '/v1/pipelines', { name: 'Sales', stages }, 400);
    const error = res.json().error;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual([{ path: 'body.stages', problem: expect.stringContaining('exactly one lost stage, found 0'), code: 'PIPELINE_WON_LOST_REQUIRED' }]);
    expect(error.message).toContain('PIPELINE_WON_LOST_REQUIRED');
    const fixed = await callJson(ctx.app, ctx.keys.admin, 'POST', '/v1/pipelines', { name: 'Sales', stages: [...stages, { name: 'Lost', probability: 0, kind: 'lost' }] }, 201);
    expect(fixed.stages.map((s: { kind: string }) => s.kind)).toEqual(['open', 'open', 'open', 'won', 'lost']);
  });

  it('names a name too long, a duplicate (case-insensitive) and two won stages in one answer', async () => {
    const res = await call(ctx.app, ctx.keys.admin, 'POST', '/v1/pipelines', {
      name: 'Bad',
      stages: [{ name: 'A'.repeat(51), probability: 10, kind: 'open' }, { name: 'Demo', probability: 10, kind: 'open' }, { name: 'DEMO', probability: 20, kind: 'open' }, { name: 'Won', probability: 100, kind: 'won' }, { name: 'Won again', probability: 100, kind: 'won' }, { name: 'Lost', probability: 0, kind: 'lost' }],
    }, 400);
    expect(res.json().error.details.map((d: { path: string; code: string }) => [d.path, d.code])).toEqual([
      ['body.stages.0.name', 'STAGE_NAME_TOO_LONG'],
      ['body.stages.2.name', 'STAGE_NAME_DUPLICATE'],
      ['body.stages', 'PIPELINE_WON_LOST_REQUIRED'],
    ]);
  });

  it('keeps stage ids across edits (rename, reorder, new kind) and names a stage id of another pipeline', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    const other = await createPipeline(ctx.app, ctx.keys.admin);
    const [lead, cold, proposal, won, lost] = p.stages;
    const edited = await callJson(ctx.app, ctx.keys.admin, 'PATCH', `/v1/pipelines/${p.id}`, {
      stages: [{ ...proposal, name: 'Offer' }, { ...lead }, { ...cold }, { name: 'Negotiation', probability: 70, kind: 'open' }, { ...won }, { ...lost }],
    }, 200);
    expect(edited.stages.slice(0, 3).map((s: { id: string }) => s.id)).toEqual([proposal!.id, lead!.id, cold!.id]);
    expect(edited.stages[0].name).toBe('Offer');
    const res = await call(ctx.app, ctx.keys.admin, 'PATCH', `/v1/pipelines/${p.id}`, { stages: [{ ...other.stages[0] }, { ...won }, { ...lost }] }, 400);
    expect(res.json().error.details).toContainEqual(expect.objectContaining({ path: 'body.stages.0.id', problem: 'is not a stage of this pipeline' }));
  });

  it('removes a stage that holds deals only with a target stage, and records the moves', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    const deal = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Cold')), 201);
    const withoutCold = p.stages.filter((s) => s.name !== 'Cold');
    const refused = await call(ctx.app, ctx.keys.admin, 'PATCH', `/v1/pipelines/${p.id}`, { stages: withoutCold }, 400);
    expect(refused.json().error.details).toEqual([{ path: `body.moveDealsTo.${p.stage('Cold')}`, problem: expect.stringContaining('holds 1 deal'), code: 'STAGE_HAS_DEALS' }]);
    await call(ctx.app, ctx.keys.admin, 'PATCH', `/v1/pipelines/${p.id}`, { stages: withoutCold, moveDealsTo: { [p.stage('Cold')]: p.stage('Lead') } }, 200);
    const moved = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/deals/${deal.id}`, undefined, 200);
    expect({ stageId: moved.stageId, version: moved.version }).toEqual({ stageId: p.stage('Lead'), version: 2 });
    const history = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/deals/${deal.id}/stage-history`, undefined, 200);
    expect(history.items.at(-1)).toMatchObject({ event: 'moved', fromStageName: 'Cold', toStageName: 'Lead', reasonCode: 'STAGE_REMOVED_DEALS_MOVED', by: { kind: 'user', userId: ctx.keys.userIds.admin } });
  });

  it('turns the deals of a stage whose kind changes to that status', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    const deal = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Proposal')), 201);
    // Proposal becomes the won stage; Won becomes an open stage.
    const stages = p.stages.map((s) => (s.name === 'Proposal' ? { ...s, kind: 'won' } : s.name === 'Won' ? { ...s, kind: 'open' } : s));
    await call(ctx.app, ctx.keys.admin, 'PATCH', `/v1/pipelines/${p.id}`, { stages }, 200);
    const after = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/deals/${deal.id}`, undefined, 200);
    expect({ status: after.status, closedOn: after.closedOn }).toEqual({ status: 'won', closedOn: new Date().toISOString().slice(0, 10) });
  });

  it('lets reps and operators read pipelines but only admins write them', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    await call(ctx.app, ctx.keys.rep, 'GET', `/v1/pipelines/${p.id}`, undefined, 200);
    await call(ctx.app, ctx.keys.operator, 'GET', '/v1/pipelines', undefined, 200);
    await call(ctx.app, ctx.keys.rep, 'POST', '/v1/pipelines', { name: 'x', stages: standardStages }, 403);
    await call(ctx.app, ctx.keys.compliance, 'GET', `/v1/pipelines/${p.id}`, undefined, 403);
    await call(ctx.app, ctx.keys.rep, 'POST', `/v1/pipelines/${p.id}/rules`, { trigger: { type: 'won' }, action: { type: 'create_task' } }, 403);
  });

  it('validates rules: stages of this pipeline, durations, the fields each type uses', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    const res = await call(ctx.app, ctx.keys.admin, 'POST', `/v1/pipelines/${p.id}/rules`, { trigger: { type: 'no_activity_for', duration: 'P1M' }, action: { type: 'move_to_stage' } }, 400);
    expect(res.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.trigger.duration', 'body.action.stageId']);
    const rule = await callJson(ctx.app, ctx.keys.admin, 'POST', `/v1/pipelines/${p.id}/rules`, { trigger: { type: 'entered_stage', stageId: p.stage('Lead') }, action: { type: 'create_task', title: 'Qualify', dueIn: 'P2D' } }, 201);
    expect(rule).toMatchObject({ trigger: { type: 'entered_stage', stageId: p.stage('Lead') }, action: { type: 'create_task', title: 'Qualify', dueIn: 'P2D' } });
    expect((await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/pipelines/${p.id}/rules`, undefined, 200)).items).toHaveLength(1);
    // A stage a rule uses cannot be removed until the rule is.
    const refused = await call(ctx.app, ctx.keys.admin, 'PATCH', `/v1/pipelines/${p.id}`, { stages: p.stages.filter((s) => s.name !== 'Lead') }, 400);
    expect(refused.json().error.details[0].problem).toContain(`automation rule ${rule.id}`);
    await call(ctx.app, ctx.keys.admin, 'DELETE', `/v1/pipelines/${p.id}/rules/${rule.id}`, undefined, 204);
    await call(ctx.app, ctx.keys.admin, 'DELETE', `/v1/pipelines/${p.id}/rules/${rule.id}`, undefined, 404);
    expect((await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/pipelines/${p.id}/rules`, undefined, 200)).items).toHaveLength(0);
  });
});
