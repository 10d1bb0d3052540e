/** One promotion per company, whoever asks and whatever happens to the worker. */
import { bearer } from '../harness/api';
import { createPromotionFixture, type PromotionFixture } from './promotion-fixture';

let fx: PromotionFixture;
beforeAll(async () => {
  fx = await createPromotionFixture({ noStickyCache: true });
});
afterAll(() => fx.close());

const clientsOf = (companyId: string) => [...fx.psa.state.clients.values()].filter((c) => c.crmCompanyId === companyId);
const createClientRequests = (companyId: string) => fx.psa.state.callsByIdempotencyKey.get(`client:${companyId}`) ?? 0;

describe('promotion idempotency and durability', () => {
  it('promoting twice (even at once) returns the same promotion: one workflow run, one PSA client', async () => {
    const { companyId } = await fx.createCompany(['gi@acme.example']);
    const [a, b] = await Promise.all([fx.promote(companyId), fx.promote(companyId)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 202]);
    expect(a.json()).toMatchObject({ workflowId: `promotion-${companyId}`, attempt: 1 });
    expect(b.json()).toMatchObject({ workflowId: `promotion-${companyId}`, attempt: 1 });

    await fx.waitFor(companyId, 'waiting_for_psa', (s) => s.status === 'waiting_for_psa');
    const { runId } = await fx.handle(companyId).describe();
    const whileWaiting = await fx.promote(companyId);
    expect(whileWaiting.statusCode).toBe(200);
    expect(whileWaiting.json().status).toBe('waiting_for_psa');

    await expect(fx.psa.deliverAllWebhooks()).resolves.toBe(1);
    const done = await fx.waitFor(companyId, 'completed', (s) => s.status === 'completed');
    const afterwards = await fx.promote(companyId);
    expect(afterwards.statusCode).toBe(200);
    expect(afterwards.json()).toMatchObject({ status: 'completed', psaClientId: done.psaClientId, attempt: 1 });

    expect((await fx.handle(companyId).describe()).runId).toBe(runId);
    expect(clientsOf(companyId)).toHaveLength(1);
    expect(createClientRequests(companyId)).toBe(1);
    const log = (await fx.app.inject({ method: 'GET', url: `/v1/companies/${companyId}/activities?limit=100`, headers: bearer(fx.keys.rep) })).json();
    expect(log.items.filter((x: { type: string }) => x.type === 'promotion_requested')).toHaveLength(1);
  });

  it('survives its worker stopping mid-promotion: a new worker resumes without creating a second client', async () => {
    const { companyId } = await fx.createCompany(['hu@acme.example', 'ix@acme.example']);
    expect((await fx.promote(companyId)).statusCode).toBe(202);
    await fx.waitFor(companyId, 'waiting_for_psa', (s) => s.status === 'waiting_for_psa');

    await fx.stopWorker();
    // The PSA confirms while no worker runs: the signal waits in the workflow's history.
    await expect(fx.psa.deliverAllWebhooks()).resolves.toBe(1);
    expect((await fx.status(companyId)).status).toBe('waiting_for_psa');

    // A fresh worker (empty workflow cache) replays the history and carries on after the wait.
    await fx.startWorker();
    const done = await fx.waitFor(companyId, 'completed', (s) => s.status === 'completed');
    expect(done.contacts).toEqual({ synced: 2, skipped: [] });
    expect(clientsOf(companyId)).toHaveLength(1);
    expect(createClientRequests(companyId)).toBe(1);
  });
});
