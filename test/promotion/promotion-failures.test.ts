/** Every promotion failure is visible: its step, its reason code, and what to do about it. */
import { WorkflowFailedError } from '@temporalio/client';
import { bearer } from '../harness/api';
import { CRM_KEY, PSA_KEY, createPromotionFixture, step, stepStates, type PromotionFixture } from './promotion-fixture';

let fx: PromotionFixture;
beforeAll(async () => {
  fx = await createPromotionFixture();
});
afterEach(() => {
  fx.psa.setKeys({ psaIntegrationKey: PSA_KEY, crmIntegrationKey: CRM_KEY });
  fx.psa.setFailureMode('none');
  fx.psaHooks.afterVerify = undefined;
});
afterAll(() => fx.close());

const companyOf = async (companyId: string) => (await fx.app.inject({ method: 'GET', url: `/v1/companies/${companyId}`, headers: bearer(fx.keys.rep) })).json();
const activityLog = async (companyId: string) => (await fx.app.inject({ method: 'GET', url: `/v1/companies/${companyId}/activities?limit=100`, headers: bearer(fx.keys.rep) })).json().items as Array<{ type: string; reasonCode: string | null; data: Record<string, unknown> }>;
const clientsOf = (companyId: string) => [...fx.psa.state.clients.values()].filter((c) => c.crmCompanyId === companyId);

describe('integration key mismatch', () => {
  it.each([
    ['CRM_INTEGRATION_KEY held by the PSA', { crmIntegrationKey: 'stale-crm-key' }, /fix CRM_INTEGRATION_KEY in the PSA's environment/],
    ['PSA_INTEGRATION_KEY held by the CRM', { psaIntegrationKey: 'rotated-psa-key' }, /fix PSA_INTEGRATION_KEY in the CRM configuration/],
  ])('fails at once at preflight when the %s is wrong, naming the key to fix; no client is created', async (_label, keys, fix) => {
    const { companyId } = await fx.createCompany(['cy@acme.example']);
    fx.psa.setKeys(keys);
    const requestsBefore = fx.psa.state.requests;
    expect((await fx.promote(companyId)).statusCode).toBe(202);

    const err: unknown = await fx.handle(companyId).result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'INTEGRATION_KEY_MISMATCH' });
    // One verification request, no retries, nothing created.
    expect(fx.psa.state.requests - requestsBefore).toBe(1);
    expect(clientsOf(companyId)).toEqual([]);

    const status = await fx.status(companyId);
    expect(status).toMatchObject({ status: 'failed', failedStep: 'preflight', code: 'INTEGRATION_KEY_MISMATCH', message: expect.stringMatching(fix) });
    expect(step(status, 'preflight')).toMatchObject({ status: 'failed', code: 'INTEGRATION_KEY_MISMATCH' });
    expect(stepStates(status)).toMatchObject({ mark_customer: 'pending', notify_psa: 'pending' });
    expect((await companyOf(companyId)).status).toBe('prospect');
    expect(await activityLog(companyId)).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'promotion_failed', reasonCode: 'INTEGRATION_KEY_MISMATCH' })]));
  });
});

describe('PSA unreachable', () => {
  it('shows PSA_UNREACHABLE while notify_psa retries with backoff, then completes once the PSA is back', async () => {
    const { companyId } = await fx.createCompany(['di@acme.example']);
    // The PSA goes down right after preflight verified the keys, so the outage hits notify_psa.
    fx.psaHooks.afterVerify = () => {
      fx.psa.setFailureMode('unreachable');
      fx.psaHooks.afterVerify = undefined;
    };
    expect((await fx.promote(companyId)).statusCode).toBe(202);

    const retrying = await fx.waitFor(companyId, 'notify_psa retrying', (s) => step(s, 'notify_psa')?.status === 'retrying');
    expect(retrying).toMatchObject({ status: 'running', code: 'PSA_UNREACHABLE', message: expect.stringMatching(/unreachable/) });
    expect(step(retrying, 'notify_psa')).toMatchObject({ code: 'PSA_UNREACHABLE', detail: expect.stringMatching(/attempt 1\b.*retrying with backoff/) });

    // Temporal's backoff: the second attempt comes 2 s later (skipped), and fails too.
    await fx.env.sleep(2_500);
    await fx.waitFor(companyId, 'second attempt failed', (s) => /attempt 2\b/.test(step(s, 'notify_psa')?.detail ?? ''));
    expect((await fx.status(companyId)).code).toBe('PSA_UNREACHABLE');

    // Back up: the third attempt (4 s later) creates the client and the code is cleared.
    fx.psa.setFailureMode('none');
    await fx.env.sleep(4_500);
    const waiting = await fx.waitFor(companyId, 'waiting_for_psa', (s) => s.status === 'waiting_for_psa');
    expect(waiting.code).toBeUndefined();
    expect(step(waiting, 'notify_psa')).toMatchObject({ status: 'completed' });
    expect(step(waiting, 'notify_psa')?.code).toBeUndefined();

    await expect(fx.psa.deliverAllWebhooks()).resolves.toBe(1);
    const done = await fx.waitFor(companyId, 'completed', (s) => s.status === 'completed');
    expect(done.contacts.synced).toBe(1);
    expect(clientsOf(companyId)).toHaveLength(1);
    expect(await activityLog(companyId)).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'promotion_psa_unreachable', reasonCode: 'PSA_UNREACHABLE' })]));
  });
});

describe('confirmation timeout', () => {
  it('fails with PSA_CONFIRMATION_TIMEOUT after 5 minutes (company stays customer, link pending); a retry completes', async () => {
    const { companyId } = await fx.createCompany(['ed@acme.example', null]);
    expect((await fx.promote(companyId)).statusCode).toBe(202);
    const waiting = await fx.waitFor(companyId, 'waiting_for_psa', (s) => s.status === 'waiting_for_psa');
    const psaClientId = waiting.psaClientId!;

    // No webhook, and polling sees the client still pending: awaiting the result skips the 5 minutes.
    const err: unknown = await fx.handle(companyId).result().catch((e: unknown) => e);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'PSA_CONFIRMATION_TIMEOUT' });

    const failed = await fx.status(companyId);
    expect(failed).toMatchObject({ status: 'failed', failedStep: 'wait_for_confirmation', code: 'PSA_CONFIRMATION_TIMEOUT', psaClientId, message: expect.stringMatching(/within 5 minutes.*link is pending/) });
    expect(stepStates(failed)).toEqual({ preflight: 'completed', mark_customer: 'completed', notify_psa: 'completed', wait_for_confirmation: 'failed', link: 'pending', sync_contacts: 'pending' });
    expect(await companyOf(companyId)).toMatchObject({ status: 'customer', psaClientId: null });
    // Promoting again shows the same (failed) promotion; it does not start another.
    const again = await fx.promote(companyId);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'failed', attempt: 1 });

    // The PSA's webhook finally comes, after the run ended: accepted (so the PSA stops retrying) and logged.
    await expect(fx.psa.deliverAllWebhooks()).resolves.toBe(1);
    expect(await activityLog(companyId)).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'psa_webhook_received', data: expect.objectContaining({ signalled: false }) })]));

    const retried = await fx.retry(companyId);
    expect(retried.statusCode).toBe(202);
    expect(retried.json()).toMatchObject({ status: 'running', attempt: 2 });
    expect(retried.json().code).toBeUndefined();
    const done = await fx.waitFor(companyId, 'completed', (s) => s.status === 'completed');
    expect(done).toMatchObject({ attempt: 2, psaClientId, contacts: { synced: 1, skipped: [expect.objectContaining({ code: 'CONTACT_NO_EMAIL' })] } });
    expect(step(done, 'wait_for_confirmation')?.detail).toMatch(/already active/);
    expect(await companyOf(companyId)).toMatchObject({ status: 'customer', psaClientId });
    expect(clientsOf(companyId)).toHaveLength(1);
    // A completed promotion has nothing to retry.
    expect((await fx.retry(companyId)).json().error.code).toBe('PROMOTION_COMPLETED');
  });
});

describe('webhook with a wrong key', () => {
  it('is refused with 401 and audited as a failed authentication; the polling fallback still confirms the client', async () => {
    const { companyId } = await fx.createCompany(['fi@acme.example']);
    expect((await fx.promote(companyId)).statusCode).toBe(202);
    const waiting = await fx.waitFor(companyId, 'waiting_for_psa', (s) => s.status === 'waiting_for_psa');
    const payload = { type: 'client.created', clientId: waiting.psaClientId, crmCompanyId: companyId };

    const forged = await fx.app.inject({ method: 'POST', url: '/v1/webhooks/psa', headers: bearer('not-the-crm-key'), payload });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error).toMatchObject({ code: 'INTEGRATION_KEY_MISMATCH', message: expect.stringMatching(/CRM_INTEGRATION_KEY/) });
    const anonymous = await fx.app.inject({ method: 'POST', url: '/v1/webhooks/psa', payload });
    expect(anonymous.statusCode).toBe(401);

    // The PSA itself holds a stale CRM key: its deliveries are refused too.
    fx.psa.setKeys({ crmIntegrationKey: 'stale-crm-key' });
    await expect(fx.psa.deliverAllWebhooks()).resolves.toBe(0);
    expect(fx.psa.state.webhooksFailed.at(-1)).toMatchObject({ error: 'HTTP 401' });
    // Audited as failed authentications (issue 8), not written on the company the bodies name.
    expect((await activityLog(companyId)).filter((a) => a.type === 'psa_webhook_rejected')).toEqual([]);
    const rejected = await fx.tdb.db.selectFrom('audit_log').selectAll().where('outcome', '=', 'auth_failed').where('route', '=', '/v1/webhooks/psa').execute();
    expect(rejected.length).toBeGreaterThanOrEqual(3);
    expect((await fx.status(companyId)).status).toBe('waiting_for_psa');

    // The client is active in the PSA all the same; the next poll (≤ 10 s, skipped) finds it.
    await fx.env.sleep(10_500);
    const done = await fx.waitFor(companyId, 'completed', (s) => s.status === 'completed');
    expect(step(done, 'wait_for_confirmation')?.detail).toMatch(/polling/);
  });
});
