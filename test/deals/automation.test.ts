/**
 * Deal automation on Temporal, end to end: a stage entry enrolls the deal's contacts, a won deal
 * promotes its company, a rule move records MOVED_BY_RULE, a rule that would undo a fresh manual move
 * records RULE_CONFLICT instead, and `no_activity_for` waits on a durable timer (time skipping).
 */
import { sql } from 'kysely';
import { dealAutomationContract } from '../../workflows/deal-automation/contract';
import { call, callJson } from '../harness/api';
import { eventually } from '../harness/eventually';
import { recordHistory, replayAgainstCurrentCode } from '../harness/histories';
import { seedContact, seedSequence } from '../harness/seed';
import { createAutomationFixture, type AutomationFixture } from './automation-fixture';
import { createPipeline, dealBody, patchDeal } from './fixtures';

let fx: AutomationFixture;
beforeAll(async () => {
  fx = await createAutomationFixture();
}, 60_000);
afterAll(() => fx?.close());

const firings = (dealId: string) => fx.tdb.db.selectFrom('deal_rule_firings').selectAll().where('deal_id', '=', dealId).orderBy('id').execute();
const finishedFirings = (dealId: string, n: number) => eventually(async () => {
  const rows = await firings(dealId);
  return rows.filter((f) => f.status !== 'planned').length >= n ? rows : undefined;
}, `${n} finished rule firings of deal ${dealId}`, 20_000);
const rule = (pipelineId: string, body: unknown) => callJson(fx.app, fx.keys.admin, 'POST', `/v1/pipelines/${pipelineId}/rules`, body, 201);
const history = async (dealId: string) => (await callJson(fx.app, fx.keys.rep, 'GET', `/v1/deals/${dealId}/stage-history`, undefined, 200)).items;

describe('deal automation', () => {
  it('enrolls the deal\'s contacts in a sequence when it enters a stage (the existing enrollment service)', async () => {
    const p = await createPipeline(fx.app, fx.keys.admin);
    // A paused sequence: the enrollments are real and hold, so nothing is sent during the test.
    const seq = await seedSequence(fx.tdb.db, { status: 'paused' });
    const contacts = [await seedContact(fx.tdb.db), await seedContact(fx.tdb.db)];
    const r = await rule(p.id, { trigger: { type: 'entered_stage', stageId: p.stage('Proposal') }, action: { type: 'enroll_contacts_in_sequence', sequenceId: seq.sequenceId } });
    const deal = await callJson(fx.app, fx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead'), { contactIds: contacts }), 201);
    expect((await patchDeal(fx.app, fx.keys.rep, deal.id, 1, { stageId: p.stage('Proposal') })).statusCode).toBe(200);

    const [firing] = await finishedFirings(deal.id, 1);
    expect(firing).toMatchObject({ rule_id: r.id, status: 'done' });
    const enrollments = await fx.tdb.db.selectFrom('enrollments').select(['contact_id', 'sequence_id', 'status', 'waiting_for']).where('sequence_id', '=', seq.sequenceId).orderBy('contact_id').execute();
    expect(enrollments.map((e) => e.contact_id)).toEqual([...contacts].sort());
    expect((firing!.result.enrollments as { status: string; reasons: string[] }[]).map((e) => [e.status, e.reasons])).toEqual([['enrolled', ['SEQUENCE_PAUSED']], ['enrolled', ['SEQUENCE_PAUSED']]]);
    const log = await callJson(fx.app, fx.keys.rep, 'GET', `/v1/deals/${deal.id}/activities`, undefined, 200);
    expect(log.items.find((a: { type: string }) => a.type === 'deal_rule_fired')).toMatchObject({ actor: `rule:${r.id}`, data: { ruleId: r.id, action: 'enroll_contacts_in_sequence' } });
  });

  it('starts the company\'s promotion when the deal is won (the existing promotion workflow)', async () => {
    const p = await createPipeline(fx.app, fx.keys.admin);
    const company = await callJson(fx.app, fx.keys.rep, 'POST', '/v1/companies', { name: 'Acme', domains: ['acme.example'] }, 201);
    await rule(p.id, { trigger: { type: 'won' }, action: { type: 'promote_company_to_psa' } });
    const deal = await callJson(fx.app, fx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Proposal'), { companyId: company.id }), 201);
    await patchDeal(fx.app, fx.keys.rep, deal.id, 1, { stageId: p.stage('Won') });

    await finishedFirings(deal.id, 1);
    const promotion = await callJson(fx.app, fx.keys.admin, 'GET', `/v1/companies/${company.id}/promotion`, undefined, 200);
    expect(promotion).toMatchObject({ companyId: company.id, workflowId: `promotion-${company.id}` });
    const described = await fx.env.client.workflow.getHandle(`promotion-${company.id}`).describe();
    expect(described.type).toBe('promotionWorkflow');
    // The PSA got the client request: the promotion really runs.
    await eventually(async () => ([...fx.psa.state.clients.values()].some((c) => c.crmCompanyId === company.id) ? true : undefined), 'the PSA client request');
  });

  it('records a rule\'s move as MOVED_BY_RULE with the rule id', async () => {
    const p = await createPipeline(fx.app, fx.keys.admin);
    const r = await rule(p.id, { trigger: { type: 'entered_stage', stageId: p.stage('Cold') }, action: { type: 'move_to_stage', stageId: p.stage('Lost') } });
    const deal = await callJson(fx.app, fx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Cold')), 201);
    await finishedFirings(deal.id, 1);
    const items = await history(deal.id);
    expect(items.at(-1)).toMatchObject({ event: 'moved', fromStageName: 'Cold', toStageName: 'Lost', reasonCode: 'MOVED_BY_RULE', by: { kind: 'rule', ruleId: r.id } });
    expect(await callJson(fx.app, fx.keys.rep, 'GET', `/v1/deals/${deal.id}`, undefined, 200)).toMatchObject({ stageId: p.stage('Lost'), status: 'lost', stageChangedBy: `rule:${r.id}` });
  });

  it('does not let a rule undo a fresh manual move: RULE_CONFLICT in the stage history and the diagnostics', async () => {
    const p = await createPipeline(fx.app, fx.keys.admin);
    // "Proposal goes back to Lead": it would reverse the rep's move from Lead to Proposal.
    const r = await rule(p.id, { trigger: { type: 'entered_stage', stageId: p.stage('Proposal') }, action: { type: 'move_to_stage', stageId: p.stage('Lead') } });
    const deal = await callJson(fx.app, fx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead')), 201);
    await patchDeal(fx.app, fx.keys.rep, deal.id, 1, { stageId: p.stage('Proposal') });

    const [firing] = await finishedFirings(deal.id, 1);
    expect(firing).toMatchObject({ status: 'skipped', reason_code: 'RULE_CONFLICT' });
    const items = await history(deal.id);
    const manual = items[1];
    expect(items.map((h: { event: string }) => h.event)).toEqual(['created', 'moved', 'rule_conflict']);
    expect(items[2]).toMatchObject({ fromStageName: 'Proposal', toStageName: 'Lead', reasonCode: 'RULE_CONFLICT', by: { kind: 'rule', ruleId: r.id }, data: { manualMoveHistoryId: manual.id, manualMoveByUserId: fx.keys.userIds.rep } });
    expect(await callJson(fx.app, fx.keys.rep, 'GET', `/v1/deals/${deal.id}`, undefined, 200)).toMatchObject({ stageId: p.stage('Proposal'), version: 2 });
    const diagnostics = await callJson(fx.app, fx.keys.rep, 'GET', `/v1/deals/${deal.id}/diagnostics`, undefined, 200);
    expect(diagnostics.rules[0]).toMatchObject({ id: r.id, firings: [{ status: 'skipped', code: 'RULE_CONFLICT' }] });

    // The same rule on a deal a person did not just move (an old manual move) does move it.
    const old = await callJson(fx.app, fx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead')), 201);
    // Its automation reads the creation first: were it to read later, while the rule is deleted below, it
    // would pass the move over with no rule to apply, and the rule could never fire for it.
    const created = await fx.tdb.db.selectFrom('deal_stage_history').select('id').where('deal_id', '=', old.id).where('event', '=', 'created').executeTakeFirstOrThrow();
    await eventually(async () => ((await fx.handle(old.id).query(dealAutomationContract.queries.status)).afterHistoryId === String(created.id) ? true : undefined), 'the old deal\'s automation to read its creation');
    await fx.tdb.db.updateTable('deal_rules').set({ deleted_at: new Date() }).where('id', '=', r.id).execute();
    await patchDeal(fx.app, fx.keys.rep, old.id, 1, { stageId: p.stage('Proposal') });
    await fx.tdb.db.updateTable('deal_stage_history').set({ at: sql`at - interval '2 hours'` }).where('deal_id', '=', old.id).execute();
    await fx.tdb.db.updateTable('deal_rules').set({ deleted_at: null, created_at: sql`created_at - interval '3 hours'` }).where('id', '=', r.id).execute();
    await patchDeal(fx.app, fx.keys.rep, old.id, 2, { name: 'touched' }); // wakes the workflow
    await finishedFirings(old.id, 1);
    expect((await history(old.id)).at(-1)).toMatchObject({ event: 'moved', toStageName: 'Lead', reasonCode: 'MOVED_BY_RULE' });
  });

  it('fires no_activity_for on a durable timer (time skipping), counting from the last activity', async () => {
    const p = await createPipeline(fx.app, fx.keys.admin);
    const r = await rule(p.id, { trigger: { type: 'no_activity_for', duration: 'P7D' }, action: { type: 'create_task', title: 'Call them', dueIn: 'P1D' } });
    const deal = await callJson(fx.app, fx.keys.rep, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead')), 201);
    const handle = fx.handle(deal.id);
    const first = await eventually(async () => (await handle.query(dealAutomationContract.queries.status)).nextDueAt, 'the inactivity timer');
    // Activity moves the deadline: the rule counts from the logged call, not from the creation.
    await call(fx.app, fx.keys.rep, 'POST', `/v1/deals/${deal.id}/activities`, { kind: 'call' }, 204);
    const second = await eventually(async () => {
      const due = (await handle.query(dealAutomationContract.queries.status)).nextDueAt;
      return due && due !== first ? due : undefined;
    }, 'the moved inactivity timer');
    expect(new Date(second).getTime()).toBeGreaterThan(new Date(first).getTime());

    // Seven days pass in a moment; the rule fires once, and the workflow ends (nothing left to wait for).
    const run = fx.env.client.workflow.getHandle(handle.workflowId, (await handle.describe()).runId);
    expect(await run.result()).toEqual({ ended: 'idle', firings: 1 });
    expect((await run.fetchHistory()).events!.length).toBeGreaterThan(10);
    await recordHistory('deal-automation-inactivity', run);
    await expect(replayAgainstCurrentCode('deal-automation-inactivity')).resolves.toBeUndefined();

    const [firing] = await firings(deal.id);
    const row = await fx.tdb.db.selectFrom('deals').select('last_activity_at').where('id', '=', deal.id).executeTakeFirstOrThrow();
    expect(firing).toMatchObject({ rule_id: r.id, status: 'done', trigger_key: `inactive:${row.last_activity_at.getTime()}` });
    const tasks = await callJson(fx.app, fx.keys.rep, 'GET', `/v1/deals/${deal.id}/tasks`, undefined, 200);
    expect(tasks.items).toEqual([expect.objectContaining({ title: 'Call them', completedAt: null, ruleFiringId: firing!.id })]);
    // Completing it is activity on the deal.
    await call(fx.app, fx.keys.rep, 'POST', `/v1/deals/${deal.id}/tasks/${tasks.items[0].id}/complete`, undefined, 200);
    await call(fx.app, fx.keys.rep, 'POST', `/v1/deals/${deal.id}/tasks/${tasks.items[0].id}/complete`, undefined, 409);
  });
});
