/**
 * Issue 8 (hardening), item by item: each test reproduces what a hostile or careless client did and
 * checks the stated answer. Ownership has its own file (data-scope.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { encodeCursor } from '../../db/pagination';
import { bearer, call, callJson } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { seedSequence } from '../harness/seed';

let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext({ CRM_INTEGRATION_KEY: 'crm-key-hardening-0123456789', AUTH_FAILURE_LIMIT_PER_MINUTE: '1000' });
});
afterAll(() => ctx.close());

const activitiesOfCompany = (companyId: string) => ctx.tdb.db.selectFrom('activities').selectAll().where('company_id', '=', companyId).execute();
const failedAuths = () => ctx.tdb.db.selectFrom('audit_log').selectAll().where('outcome', '=', 'auth_failed').execute();

describe('1. unauthenticated calls write nothing customer-visible, and are limited per address', () => {
  it('a PSA webhook with a wrong key is a 401 audited as a failed authentication, never an activity on the company it names', async () => {
    const company = await callJson(ctx.app, ctx.keys.admin, 'POST', '/v1/companies', { name: 'Flooded Co' }, 201);
    const before = (await failedAuths()).length;
    for (let i = 0; i < 5; i++) {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks/psa', headers: { authorization: `Bearer fake-${i}` }, payload: { type: 'client.created', clientId: 'x', crmCompanyId: company.id } });
      expect(res.statusCode).toBe(401);
    }
    expect((await activitiesOfCompany(company.id)).filter((a) => a.type === 'psa_webhook_rejected')).toEqual([]);
    const audited = (await failedAuths()).slice(before);
    expect(audited).toHaveLength(5);
    expect(audited[0]).toMatchObject({ route: '/v1/webhooks/psa', status_code: 401, user_id: null, client_address: '127.0.0.1' });
    expect(JSON.stringify(audited)).not.toContain('fake-');
  });

  it('after the failed-authentication limit, the address gets 429 with Retry-After, even with a good key', async () => {
    const limited = await createApiContext({ AUTH_FAILURE_LIMIT_PER_MINUTE: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.app.inject({ url: '/v1/contacts', headers: bearer(`crm_000000000000_${'x'.repeat(43)}`) })).statusCode);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      const blocked = await limited.app.inject({ url: '/v1/contacts', headers: bearer(limited.keys.admin) });
      expect(blocked.statusCode).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect(blocked.json().error).toMatchObject({ code: 'RATE_LIMITED' });
    } finally {
      await limited.close();
    }
  });

  it('public endpoints are limited per client address', async () => {
    const limited = await createApiContext({ PUBLIC_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.app.inject({ method: 'GET', url: '/u/not-a-token' })).statusCode);
      expect(statuses).toEqual([404, 404, 404, 429]);
      // Health checks are never limited.
      expect((await limited.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('2. one write budget per API key, whatever the route and however the header is spaced', () => {
  it('counts writes of a key across routes, on the authenticated key id, with Retry-After', async () => {
    const limited = await createApiContext({ WRITE_RATE_LIMIT_PER_MINUTE: '4' });
    try {
      const k = limited.keys.rep;
      const statuses = [
        (await limited.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(k), payload: { firstName: 'A' } })).statusCode,
        (await limited.app.inject({ method: 'POST', url: '/v1/contacts', headers: { authorization: `Bearer  ${k}` }, payload: { firstName: 'B' } })).statusCode,
        (await limited.app.inject({ method: 'POST', url: '/v1/companies', headers: { authorization: `bearer ${k}` }, payload: { name: 'C' } })).statusCode,
        (await limited.app.inject({ method: 'POST', url: '/v1/companies', headers: { authorization: `BEARER\t${k} ` }, payload: { name: 'D' } })).statusCode,
      ];
      expect(statuses).toEqual([201, 201, 201, 201]);
      const over = await limited.app.inject({ method: 'POST', url: '/v1/companies', headers: { authorization: `Bearer   ${k}` }, payload: { name: 'E' } });
      expect(over.statusCode).toBe(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect(over.json().error.message).toMatch(/4 writes per API key per minute/);
    } finally {
      await limited.close();
    }
  });
});

describe('3. a company cannot be deleted or deactivated under a running promotion', () => {
  it('409 PROMOTION_IN_PROGRESS while the promotion runs; a linked company says what happens in the PSA', async () => {
    const company = await callJson(ctx.app, ctx.keys.admin, 'POST', '/v1/companies', { name: 'Promoting Co' }, 201);
    await ctx.tdb.db.insertInto('promotions').values({ company_id: company.id, status: 'running', steps: '[]', contacts_skipped: '[]', workflow_id: `promotion-${company.id}` }).execute();
    const del = await ctx.app.inject({ method: 'DELETE', url: `/v1/companies/${company.id}`, headers: bearer(ctx.keys.admin) });
    expect(del.statusCode).toBe(409);
    expect(del.json().error.code).toBe('PROMOTION_IN_PROGRESS');
    const deactivate = await ctx.app.inject({ method: 'PATCH', url: `/v1/companies/${company.id}`, headers: bearer(ctx.keys.admin), payload: { status: 'inactive' } });
    expect(deactivate.statusCode).toBe(409);
    expect(deactivate.json().error.code).toBe('PROMOTION_IN_PROGRESS');
    expect((await ctx.app.inject({ url: `/v1/companies/${company.id}`, headers: bearer(ctx.keys.admin) })).statusCode).toBe(200);

    await ctx.tdb.db.updateTable('promotions').set({ status: 'completed' }).where('company_id', '=', company.id).execute();
    await ctx.tdb.db.updateTable('companies').set({ psa_client_id: 'psa_cl_42' }).where('id', '=', company.id).execute();
    const linked = await ctx.app.inject({ method: 'DELETE', url: `/v1/companies/${company.id}`, headers: bearer(ctx.keys.admin) });
    expect(linked.statusCode).toBe(409);
    expect(linked.json().error).toMatchObject({ code: 'COMPANY_LINKED_TO_PSA', message: expect.stringMatching(/psa_cl_42.*stay active there/) });
  });
});

describe('4. enrolling an unknown contact id', () => {
  it('is rejected with CONTACT_NOT_FOUND, not CONTACT_NO_EMAIL', async () => {
    const seq = await seedSequence(ctx.tdb.db);
    const missing = randomUUID();
    const { results } = await callJson(ctx.app, ctx.keys.admin, 'POST', `/v1/sequences/${seq.sequenceId}/enrollments`, { contactIds: [missing] }, 200);
    expect(results).toEqual([{ contactId: missing, status: 'rejected', reasons: ['CONTACT_NOT_FOUND'] }]);
  });
});

describe('5. a NUL character anywhere is a 400 naming the field', () => {
  it('in a body, a query filter, a path and a signed webhook body', async () => {
    const body = await ctx.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(ctx.keys.rep), payload: { firstName: 'Ada\u0000' } });
    expect(body.statusCode).toBe(400);
    expect(body.json().error.details).toEqual([expect.objectContaining({ path: 'body.firstName', problem: expect.stringMatching(/NUL/) })]);
    const nested = await ctx.app.inject({ method: 'POST', url: '/v1/companies', headers: bearer(ctx.keys.rep), payload: { name: 'X', domains: ['a.example', 'b\u0000.example'] } });
    expect(nested.json().error.details).toEqual([expect.objectContaining({ path: 'body.domains.1' })]);
    const query = await ctx.app.inject({ url: '/v1/contacts?email=a%00b@example.com', headers: bearer(ctx.keys.rep) });
    expect(query.statusCode).toBe(400);
    expect(query.json().error.details).toEqual([expect.objectContaining({ path: 'querystring.email' })]);
    const path = await ctx.app.inject({ url: '/u/abc%00def' });
    expect(path.statusCode).toBe(400);
    expect(path.json().error.details).toEqual([expect.objectContaining({ path: 'params.*' })]);
    const webhook = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks/psa', headers: bearer('crm-key-hardening-0123456789'), payload: { type: 'client.created', clientId: 'c\u0000', crmCompanyId: randomUUID() } });
    expect(webhook.statusCode).toBe(400);
    expect(webhook.json().error.details).toEqual([expect.objectContaining({ path: 'body.clientId' })]);
  });
});

describe('6. a forged cursor is a 400 naming querystring.cursor on every list', () => {
  it.each(['/v1/contacts', '/v1/companies', '/v1/sequences', '/v1/mailboxes', '/v1/users', '/v1/suppressions', '/v1/audit-log'])('%s', async (url) => {
    const forged = encodeCursor(['2020-01-01T00:00:00.000Z', 'not-a-uuid']);
    for (const cursor of [forged, encodeCursor(['x']), 'not base64 at all!', encodeCursor(['99999999999999999999999', randomUUID()])]) {
      const res = await ctx.app.inject({ url: `${url}?cursor=${encodeURIComponent(cursor)}`, headers: bearer(ctx.keys.admin) });
      expect({ url, cursor, status: res.statusCode, details: res.json().error?.details }).toEqual({ url, cursor, status: 400, details: [expect.objectContaining({ path: 'querystring.cursor' })] });
    }
  });
});

describe('7. one error shape for every error', () => {
  const shaped = (res: { statusCode: number; json(): { error?: { code?: string; requestId?: string } } }) => expect(res.json().error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String), requestId: expect.any(String) }));

  it('a malformed path', async () => {
    const res = await ctx.app.inject({ url: '/v1/contacts/%ZZ', headers: bearer(ctx.keys.rep) });
    expect(res.statusCode).toBe(400);
    shaped(res);
    expect(res.json().error.code).toBe('BAD_URL');
  });

  it('a __proto__ key is refused as such, not called invalid JSON', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/contacts', headers: { ...bearer(ctx.keys.rep), 'content-type': 'application/json' }, payload: '{"firstName":"A","__proto__":{"admin":true}}' });
    expect(res.statusCode).toBe(400);
    shaped(res);
    expect(res.json().error.code).toBe('FORBIDDEN_PROPERTY');
  });

  it('text/plain is a 415 naming the content type', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/contacts', headers: { ...bearer(ctx.keys.rep), 'content-type': 'text/plain' }, payload: 'firstName=A' });
    expect(res.statusCode).toBe(415);
    shaped(res);
    expect(res.json().error.details).toEqual([expect.objectContaining({ path: 'headers.content-type' })]);
  });

  it('a lower-case bearer scheme authenticates; another scheme says which one is expected', async () => {
    expect((await ctx.app.inject({ url: '/v1/contacts', headers: { authorization: `bearer ${ctx.keys.rep}` } })).statusCode).toBe(200);
    const basic = await ctx.app.inject({ url: '/v1/contacts', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.statusCode).toBe(401);
    expect(basic.json().error.message).toMatch(/Bearer scheme/);
  });
});

describe('10. audit: created ids, our own request ids, failed authentications', () => {
  it('generates request ids server-side, keeps the client one as clientRequestId, and audits 401s without the key', async () => {
    const a = await ctx.app.inject({ method: 'POST', url: '/v1/companies', headers: { ...bearer(ctx.keys.admin), 'x-request-id': 'client-req-1' }, payload: { name: 'Audit A' } });
    const b = await ctx.app.inject({ method: 'POST', url: '/v1/companies', headers: { ...bearer(ctx.keys.admin), 'x-request-id': 'client-req-1' }, payload: { name: 'Audit B' } });
    expect(a.headers['x-request-id']).not.toBe('client-req-1');
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    const rows = await ctx.tdb.db.selectFrom('audit_log').selectAll().where('client_request_id', '=', 'client-req-1').orderBy('id').execute();
    expect(rows.map((r) => [r.request_id, r.entity_id])).toEqual([
      [a.headers['x-request-id'], a.json().id],
      [b.headers['x-request-id'], b.json().id],
    ]);
    const bad = await ctx.app.inject({ url: '/v1/contacts', headers: bearer('crm_000000000000_secret-looking-key-that-is-wrong-0123456789') });
    expect(bad.statusCode).toBe(401);
    const failure = (await failedAuths()).find((r) => r.request_id === bad.headers['x-request-id']);
    expect(failure).toMatchObject({ status_code: 401, route: '/v1/contacts', method: 'GET', user_id: null, api_key_id: null });
    expect(JSON.stringify(failure)).not.toContain('secret-looking');
  });
});

describe('11. lastUsedAt', () => {
  it('is written when a key is used, at most once a minute', async () => {
    const user = await callJson(ctx.app, ctx.keys.admin, 'POST', '/v1/users', { name: 'Key user', role: 'rep' }, 201);
    const { id, key } = await callJson(ctx.app, ctx.keys.admin, 'POST', `/v1/users/${user.id}/api-keys`, { name: 'k' }, 201);
    const lastUsed = async () => (await callJson(ctx.app, ctx.keys.admin, 'GET', `/v1/users/${user.id}/api-keys`, undefined, 200)).items.find((k: { id: string }) => k.id === id).lastUsedAt;
    expect(await lastUsed()).toBeNull();
    await call(ctx.app, key, 'GET', '/v1/contacts', undefined, 200);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    await call(ctx.app, key, 'GET', '/v1/contacts', undefined, 200);
    expect(await lastUsed()).toBe(first);
  });
});

describe('16. users are paginated like every list', () => {
  it('GET /v1/users pages with limit and cursor', async () => {
    const first = await callJson(ctx.app, ctx.keys.admin, 'GET', '/v1/users?limit=2', undefined, 200);
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await callJson(ctx.app, ctx.keys.admin, 'GET', `/v1/users?limit=2&cursor=${first.nextCursor}`, undefined, 200);
    expect(second.items[0].id).not.toBe(first.items[0].id);
  });
});
