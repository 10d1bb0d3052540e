/** Promotion and PSA endpoints: permissions, input errors, PSA-key authentication, the PSA context. */
import type { Client } from '@temporalio/client';
import { lazyTemporalClient } from '../../temporal/client';
import { connectTestClient, testTemporalTarget } from '../harness/temporal';
import { recordActivity } from '../../db/activity-log';
import { ConfigError } from '../../domain/config';
import { bearer, createTestApp } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { testConfig } from '../harness/config';

const CRM_KEY = 'crm-key-api-tests-0123456789';
let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext({ CRM_INTEGRATION_KEY: CRM_KEY, PSA_INTEGRATION_KEY: 'psa-key-api-tests', PSA_API_URL: 'http://127.0.0.1:9' });
});
afterAll(async () => {
  await Promise.all(offline.map((c) => c.connection.close()));
  await ctx.close();
});

/** A client of a Temporal that is down. No gRPC retries: none may outlive the test and hit a closed channel. */
const offline: Client[] = [];
function offlineClient(): Client {
  const { client } = lazyTemporalClient({ ...testTemporalTarget(), address: '127.0.0.1:9' }, { connectTimeoutMs: 200, grpcRetries: false });
  offline.push(client);
  return client;
}

async function company(name = 'Globex'): Promise<string> {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/companies', headers: bearer(ctx.keys.rep), payload: { name } });
  return (res.json() as { id: string }).id;
}
const promotionRows = (companyId: string) => ctx.tdb.db.selectFrom('promotions').selectAll().where('company_id', '=', companyId).execute();

describe('promotion endpoints', () => {
  it('refuses a rep (and an operator) with 403 on promote and retry, creating nothing', async () => {
    const id = await company();
    for (const key of [ctx.keys.rep, ctx.keys.operator]) {
      for (const url of [`/v1/companies/${id}/promote`, `/v1/companies/${id}/promotion/retry`]) {
        const res = await ctx.app.inject({ method: 'POST', url, headers: bearer(key) });
        expect(res.statusCode).toBe(403);
        expect(res.json().error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/promotions:write/) });
      }
    }
    expect(await promotionRows(id)).toEqual([]);
  });

  it('lets a rep read a promotion; a company never promoted is a 404 that says how to start one', async () => {
    const id = await company();
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/companies/${id}/promotion`, headers: bearer(ctx.keys.rep) });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'PROMOTION_NOT_FOUND', message: expect.stringMatching(/POST \/v1\/companies\/.+\/promote/) });
    const retry = await ctx.app.inject({ method: 'POST', url: `/v1/companies/${id}/promotion/retry`, headers: bearer(ctx.keys.admin) });
    expect(retry.statusCode).toBe(404);
    expect(retry.json().error.code).toBe('PROMOTION_NOT_FOUND');
  });

  it('names the bad field: a non-UUID id, an unknown body field; an unknown company is a 404', async () => {
    const badId = await ctx.app.inject({ method: 'POST', url: '/v1/companies/42/promote', headers: bearer(ctx.keys.admin) });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.details).toEqual([expect.objectContaining({ path: 'params.id' })]);
    const id = await company();
    const extra = await ctx.app.inject({ method: 'POST', url: `/v1/companies/${id}/promote`, headers: bearer(ctx.keys.admin), payload: { force: true } });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.details).toEqual([expect.objectContaining({ path: 'body.force', problem: 'unknown field' })]);
    const missing = await ctx.app.inject({ method: 'POST', url: '/v1/companies/00000000-0000-4000-8000-000000000000/promote', headers: bearer(ctx.keys.admin) });
    expect(missing.statusCode).toBe(404);
    expect(await ctx.tdb.db.selectFrom('promotions').select('company_id').where('company_id', '=', '00000000-0000-4000-8000-000000000000').execute()).toEqual([]);
  });

  it('answers 503 when Temporal is down, keeps the promotion, and starts it on the next call', async () => {
    const id = await company();
    const down = await createTestApp({ db: ctx.tdb.db, temporal: offlineClient(), config: ctx.config });
    try {
      const res = await down.inject({ method: 'POST', url: `/v1/companies/${id}/promote`, headers: bearer(ctx.keys.admin) });
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toMatchObject({ code: 'TEMPORAL_UNAVAILABLE', message: expect.stringMatching(/call the same endpoint again/i) });
    } finally {
      await down.close();
    }
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/companies/${id}/promotion`, headers: bearer(ctx.keys.rep) })).json()).toMatchObject({ status: 'running', attempt: 1 });

    const again = await ctx.app.inject({ method: 'POST', url: `/v1/companies/${id}/promote`, headers: bearer(ctx.keys.admin) });
    expect(again.statusCode).toBe(200);
    const temporal = await connectTestClient();
    try {
      const handle = temporal.client.workflow.getHandle(`promotion-${id}`);
      const description = await handle.describe();
      expect(description).toMatchObject({ type: 'promotionWorkflow', taskQueue: ctx.config.TEMPORAL_TASK_QUEUE });
      expect(description.status.name).toBe('RUNNING');
      await handle.terminate('test cleanup: no worker serves this queue');
    } finally {
      await temporal.close();
    }
  });

  it('refuses to start with a PSA_CONFIRMATION_TIMEOUT that is not an ISO-8601 duration, naming the variable', async () => {
    await expect(createTestApp({ db: ctx.tdb.db, temporal: offlineClient(), config: testConfig({ PSA_CONFIRMATION_TIMEOUT: '5 minutes' }) })).rejects.toThrow(ConfigError);
    await expect(createTestApp({ db: ctx.tdb.db, temporal: offlineClient(), config: testConfig({ PSA_CONFIRMATION_TIMEOUT: '5 minutes' }) })).rejects.toThrow(/PSA_CONFIRMATION_TIMEOUT/);
  });
});

describe('PSA webhook authentication', () => {
  const webhook = (headers: Record<string, string>, payload: unknown) => ctx.app.inject({ method: 'POST', url: '/v1/webhooks/psa', headers, payload: payload as Record<string, unknown> });

  it('refuses a wrong or missing key with 401 before looking at the body, audited as a failed authentication, never on the named company', async () => {
    const id = await company();
    const wrong = await webhook(bearer('guess'), { type: 'client.created', clientId: 'psa_cl_9', crmCompanyId: id });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toMatchObject({ code: 'INTEGRATION_KEY_MISMATCH', message: expect.stringMatching(/fix CRM_INTEGRATION_KEY in the PSA/) });
    const missing = await webhook({}, { nonsense: true });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error.message).toMatch(/Authorization: Bearer <CRM_INTEGRATION_KEY>/);

    // Issue 8: an unauthenticated caller writes nothing on a customer-visible record (it used to log on the company).
    expect(await ctx.tdb.db.selectFrom('activities').selectAll().where('company_id', '=', id).where('type', '=', 'psa_webhook_rejected').execute()).toEqual([]);
    const log = await ctx.tdb.db.selectFrom('audit_log').selectAll().where('outcome', '=', 'auth_failed').where('route', '=', '/v1/webhooks/psa').execute();
    expect(log.length).toBeGreaterThanOrEqual(2);
    // The presented key is never stored.
    expect(JSON.stringify(log)).not.toContain('guess');
  });

  it('with the right key: names bad fields (400) and refuses a company without a promotion (404)', async () => {
    const bad = await webhook(bearer(CRM_KEY), { type: 'client.deleted', crmCompanyId: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.clientId', 'body.type']);
    const id = await company();
    const unknown = await webhook(bearer(CRM_KEY), { type: 'client.created', clientId: 'psa_cl_1', crmCompanyId: id });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('PROMOTION_NOT_FOUND');
  });

  it('refuses every call when CRM_INTEGRATION_KEY is not configured, saying so', async () => {
    const app = await createTestApp({ db: ctx.tdb.db, temporal: offlineClient(), config: testConfig() });
    try {
      const res = await app.inject({ method: 'POST', url: '/v1/webhooks/psa', headers: bearer('anything'), payload: {} });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.message).toMatch(/CRM_INTEGRATION_KEY is not set in the CRM/);
    } finally {
      await app.close();
    }
  });
});

describe('GET /v1/psa/clients/:psaClientId/context', () => {
  const context = (psaClientId: string, key = CRM_KEY) => ctx.app.inject({ method: 'GET', url: `/v1/psa/clients/${psaClientId}/context`, headers: bearer(key) });

  it('returns the linked company, its contacts and its recent activity to the PSA', async () => {
    const id = await company('Initech');
    await ctx.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(ctx.keys.rep), payload: { companyId: id, email: 'peter@initech.example', firstName: 'Peter' } });
    await ctx.tdb.db.updateTable('companies').set({ psa_client_id: 'psa_cl_ctx', status: 'customer' }).where('id', '=', id).execute();
    await recordActivity(ctx.tdb.db, { companyId: id, type: 'company_linked_to_psa', data: { psaClientId: 'psa_cl_ctx' }, actor: 'test' });

    const res = await context('psa_cl_ctx');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.company).toMatchObject({ id, name: 'Initech', status: 'customer', psaClientId: 'psa_cl_ctx' });
    expect(body.contacts).toEqual([expect.objectContaining({ email: 'peter@initech.example', firstName: 'Peter', companyId: id })]);
    expect(body.contactsTruncated).toBe(false);
    expect(body.recentActivity[0]).toMatchObject({ type: 'company_linked_to_psa', companyId: id });
  });

  it('is a 404 saying the company is not linked, naming a promotion under way when there is one', async () => {
    const res = await context('psa_cl_nobody');
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'COMPANY_NOT_LINKED', message: expect.stringMatching(/the company is not linked/) });

    const id = await company('Hooli');
    await ctx.tdb.db.insertInto('promotions').values({ company_id: id, status: 'failed', failed_step: 'wait_for_confirmation', code: 'PSA_CONFIRMATION_TIMEOUT', psa_client_id: 'psa_cl_pending', steps: '[]', contacts_skipped: '[]', workflow_id: `promotion-${id}` }).execute();
    const pending = await context('psa_cl_pending');
    expect(pending.statusCode).toBe(404);
    expect(pending.json().error.message).toMatch(new RegExp(`not linked.*${id}.*PSA_CONFIRMATION_TIMEOUT`));
  });

  it('needs the PSA key', async () => {
    expect((await context('psa_cl_ctx', 'wrong')).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/psa/clients/psa_cl_ctx/context', headers: bearer(ctx.keys.admin) })).statusCode).toBe(401);
  });
});
