/** Deals through the API: exact money, versions (stale boards), ownership and stage-change permissions, users' managers. */
import { call, callJson } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { uniqueTaskQueue } from '../harness/temporal';
import { createPipeline, dealBody, patchDeal, rep } from './fixtures';

let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext({ TEMPORAL_TASK_QUEUE: uniqueTaskQueue('deals-api') });
});
afterAll(() => ctx.close());

describe('deals', () => {
  it('creates a deal owned by the rep, with the amount as an exact decimal string and the status of its stage', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    const res = await call(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Won'), { amount: '123456789012345678.5' }), 201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.json()).toMatchObject({ ownerId: ctx.keys.userIds.rep, amount: '123456789012345678.50', status: 'won', version: 1, closedOn: expect.any(String), stageChangedBy: `user:${ctx.keys.userIds.rep}` });
  });

  it('names every bad field: a number for the amount, too many decimals, an unknown currency, a missing stage', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    const asNumber = await call(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead'), { amount: 0.1 }), 400);
    expect(asNumber.json().error.details[0]).toMatchObject({ path: 'body.amount', problem: expect.stringContaining('decimal string') });
    const res = await call(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, '00000000-0000-4000-8000-000000000000', { amount: '10.123', currency: 'EUR', expectedCloseDate: '2025-02-30' }), 400);
    expect(res.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.amount', 'body.expectedCloseDate', 'body.stageId']);
    const currency = await call(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead'), { currency: 'XXX' }), 400);
    expect(currency.json().error.details.map((d: { path: string }) => d.path)).toContain('body.currency');
  });

  it('refuses a stale update with 409 DEAL_VERSION_STALE naming the current stage and who moved it', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    const deal = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead')), 201);
    // Two boards loaded version 1; the admin moves it first.
    const first = await patchDeal(ctx.app, ctx.keys.admin, deal.id, 1, { stageId: p.stage('Proposal') });
    expect(first.statusCode).toBe(200);
    expect(first.headers.etag).toBe('"2"');
    const stale = await patchDeal(ctx.app, ctx.keys.rep, deal.id, 1, { stageId: p.stage('Cold') });
    expect(stale.statusCode).toBe(409);
    const error = stale.json().error;
    expect(error.code).toBe('DEAL_VERSION_STALE');
    expect(error.message).toContain(`stage "Proposal" (${p.stage('Proposal')}), moved by user:${ctx.keys.userIds.admin}`);
    expect(Object.fromEntries(error.details.filter((d: { path: string }) => d.path.startsWith('current.')).map((d: { path: string; problem: string }) => [d.path, d.problem]))).toMatchObject({
      'current.version': '2', 'current.stageId': p.stage('Proposal'), 'current.stageName': 'Proposal', 'current.stageChangedBy': `user:${ctx.keys.userIds.admin}`,
    });
    expect((await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/deals/${deal.id}`, undefined, 200)).stageId).toBe(p.stage('Proposal'));
    // The body's version works as well; without any version the update is refused, naming the header.
    await call(ctx.app, ctx.keys.rep, 'PATCH', `/v1/deals/${deal.id}`, { stageId: p.stage('Cold'), version: 2 }, 200);
    const missing = await patchDeal(ctx.app, ctx.keys.rep, deal.id, null, { name: 'x' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details[0].path).toBe('headers.if-match');
  });

  it('records every move in the stage history, with who moved it', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    const deal = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead')), 201);
    await patchDeal(ctx.app, ctx.keys.rep, deal.id, 1, { stageId: p.stage('Proposal') });
    await patchDeal(ctx.app, ctx.keys.rep, deal.id, 2, { amount: '5.00' });
    await patchDeal(ctx.app, ctx.keys.admin, deal.id, 3, { stageId: p.stage('Lost') });
    const history = await callJson(ctx.app, ctx.keys.operator, 'GET', `/v1/deals/${deal.id}/stage-history`, undefined, 200);
    expect(history.items.map((h: { event: string; toStageName: string; by: { userId: string }; dealVersion: number }) => [h.event, h.toStageName, h.by.userId, h.dealVersion])).toEqual([
      ['created', 'Lead', ctx.keys.userIds.rep, 1],
      ['moved', 'Proposal', ctx.keys.userIds.rep, 2],
      ['moved', 'Lost', ctx.keys.userIds.admin, 4],
    ]);
    expect((await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/deals/${deal.id}`, undefined, 200)).status).toBe('lost');
  });

  it('lets a rep edit their own and their reports\' deals, and move any deal only on an unrestricted pipeline', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    const manager = await rep(ctx.tdb.db, 'Manager');
    const alice = await rep(ctx.tdb.db, 'Alice', manager.id);
    const bob = await rep(ctx.tdb.db, 'Bob');
    const deal = await callJson(ctx.app, alice.key, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead')), 201);
    // Bob may not edit Alice's deal, nor create one for her; her manager may.
    expect((await patchDeal(ctx.app, bob.key, deal.id, 1, { amount: '1.00' })).json().error.code).toBe('NOT_OWNER');
    await call(ctx.app, bob.key, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead'), { ownerId: alice.id }), 403);
    expect((await patchDeal(ctx.app, manager.key, deal.id, 1, { amount: '2.00' })).statusCode).toBe(200);
    // Unrestricted pipeline: Bob may drag it on the board.
    expect((await patchDeal(ctx.app, bob.key, deal.id, 2, { stageId: p.stage('Proposal') })).statusCode).toBe(200);
    await call(ctx.app, bob.key, 'DELETE', `/v1/deals/${deal.id}`, undefined, 403);
    // Operators and compliance cannot write deals at all.
    await call(ctx.app, ctx.keys.operator, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead')), 403);
    await call(ctx.app, ctx.keys.compliance, 'GET', `/v1/deals/${deal.id}`, undefined, 403);
    await call(ctx.app, ctx.keys.operator, 'GET', `/v1/deals/${deal.id}`, undefined, 200);
  });

  it('refuses stage changes on a restricted pipeline with 403 STAGE_CHANGE_FORBIDDEN unless owner or manager', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin, { restrictStageChanges: 'owner_or_manager' });
    const manager = await rep(ctx.tdb.db, 'Manager');
    const alice = await rep(ctx.tdb.db, 'Alice', manager.id);
    const bob = await rep(ctx.tdb.db, 'Bob');
    const deal = await callJson(ctx.app, alice.key, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead')), 201);
    for (const key of [bob.key, ctx.keys.admin]) {
      const res = await patchDeal(ctx.app, key, deal.id, 1, { stageId: p.stage('Proposal') });
      expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status: 403, code: 'STAGE_CHANGE_FORBIDDEN' });
    }
    // An admin may still edit fields; the owner and the owner's manager may move it.
    expect((await patchDeal(ctx.app, ctx.keys.admin, deal.id, 1, { amount: '3.00' })).statusCode).toBe(200);
    expect((await patchDeal(ctx.app, manager.key, deal.id, 2, { stageId: p.stage('Proposal') })).statusCode).toBe(200);
    expect((await patchDeal(ctx.app, alice.key, deal.id, 3, { stageId: p.stage('Won') })).statusCode).toBe(200);
  });

  it('sets and shows users\' managers, refusing loops', async () => {
    const a = await callJson(ctx.app, ctx.keys.admin, 'POST', '/v1/users', { name: 'A', role: 'rep' }, 201);
    const b = await callJson(ctx.app, ctx.keys.admin, 'POST', '/v1/users', { name: 'B', role: 'rep', managerId: a.id }, 201);
    expect(b.managerId).toBe(a.id);
    const loop = await call(ctx.app, ctx.keys.admin, 'PATCH', `/v1/users/${a.id}`, { managerId: b.id }, 400);
    expect(loop.json().error.details[0]).toMatchObject({ path: 'body.managerId', problem: expect.stringContaining('loop') });
    expect((await callJson(ctx.app, ctx.keys.admin, 'PATCH', `/v1/users/${b.id}`, { managerId: null }, 200)).managerId).toBeNull();
    await call(ctx.app, ctx.keys.rep, 'PATCH', `/v1/users/${b.id}`, { managerId: a.id }, 403);
  });

  it('logs activity on a deal and lists it', async () => {
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    const deal = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead')), 201);
    await call(ctx.app, ctx.keys.rep, 'POST', `/v1/deals/${deal.id}/activities`, { kind: 'call' }, 204);
    const log = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/deals/${deal.id}/activities`, undefined, 200);
    expect(log.items.map((a: { type: string }) => a.type)).toEqual(['deal_activity_logged', 'deal_created']);
    const after = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/deals/${deal.id}`, undefined, 200);
    expect(new Date(after.lastActivityAt).getTime()).toBeGreaterThan(new Date(deal.lastActivityAt).getTime());
  });
});
