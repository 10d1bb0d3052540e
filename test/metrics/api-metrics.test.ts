import { randomUUID } from 'node:crypto';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { bearer, call, callJson } from '../harness/api';
import { parseExposition, type Scrape } from './exposition';

/**
 * The API's GET /metrics: operators and admins scrape it with their key; requests are counted by route
 * pattern and status (never the URL with its ids), rate-limit refusals and failed authentications
 * are counted, and nothing personal appears in it.
 */
let ctx: ApiContext;
beforeAll(async () => {
  // Low limits, so a 429 is one request away.
  ctx = await createApiContext({ WRITE_RATE_LIMIT_PER_MINUTE: '3', AUTH_FAILURE_LIMIT_PER_MINUTE: '3' });
});
afterAll(() => ctx?.close());

async function scrape(): Promise<Scrape> {
  const res = await call(ctx.app, ctx.keys.operator, 'GET', '/metrics', undefined, 200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(res.body);
}

describe('GET /metrics on the API', () => {
  it('is for operators and admins: 401 without a key, 403 for a rep', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    await call(ctx.app, ctx.keys.rep, 'GET', '/metrics', undefined, 403);
    await call(ctx.app, ctx.keys.admin, 'GET', '/metrics', undefined, 200);
  });

  it('counts requests by route pattern and status, never by URL', async () => {
    const id = randomUUID();
    const labels = { method: 'GET', route: '/v1/contacts/:id', status: '404' };
    const before = (await scrape()).value('crm_http_request_duration_seconds_count', labels);
    await call(ctx.app, ctx.keys.rep, 'GET', `/v1/contacts/${id}`, undefined, 404);
    await call(ctx.app, ctx.keys.rep, 'GET', `/v1/contacts/${randomUUID()}`, undefined, 404);
    const after = await scrape();
    expect(after.value('crm_http_request_duration_seconds_count', labels)).toBe(before + 2);
    expect(after.value('crm_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(before + 2);
    expect(after.text).not.toContain(id);
    // A path that matches no route is one label value, not the path.
    await ctx.app.inject({ method: 'GET', url: `/no/such/${id}`, headers: bearer(ctx.keys.rep) });
    const unmatched = await scrape();
    expect(unmatched.value('crm_http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(unmatched.text).not.toContain(id);
  });

  it('counts a 429 by the limit that refused it', async () => {
    const before = (await scrape()).value('crm_rate_limited_total', { limit: 'writes_per_key' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(ctx.app, ctx.keys.admin, 'POST', '/v1/companies', { name: `Limit ${i}` })).statusCode);
    expect(statuses).toEqual([201, 201, 201, 429]);
    const after = await scrape();
    expect(after.value('crm_rate_limited_total', { limit: 'writes_per_key' })).toBe(before + 1);
    expect(after.value('crm_http_request_duration_seconds_count', { method: 'POST', route: '/v1/companies', status: '429' })).toBe(1);
  });

  it('counts failed authentications by route, and the 429 once an address keeps failing', async () => {
    const before = await scrape();
    // From another address than the scrapes': over its limit, that address is refused everything for a minute.
    const guess = () => ctx.app.inject({ method: 'GET', url: '/v1/companies', headers: bearer('crm_nope_wrong'), remoteAddress: '198.51.100.7' });
    for (let i = 0; i < 3; i++) expect((await guess()).statusCode).toBe(401);
    expect((await guess()).statusCode).toBe(429);
    const after = await scrape();
    expect(after.value('crm_auth_failures_total', { route: '/v1/companies' })).toBe(before.value('crm_auth_failures_total', { route: '/v1/companies' }) + 3);
    expect(after.value('crm_rate_limited_total', { limit: 'auth_failures_per_address' })).toBe(before.value('crm_rate_limited_total', { limit: 'auth_failures_per_address' }) + 1);
    expect(after.text).not.toContain('198.51.100.7');
  });

  it('holds no personal data and no ids', async () => {
    const email = `metrics-${randomUUID()}@example.com`;
    const contact = await callJson<{ id: string }>(ctx.app, ctx.keys.rep, 'POST', '/v1/contacts', { email, firstName: 'Zebulon', lastName: 'Quixote' }, 201);
    await call(ctx.app, ctx.keys.rep, 'GET', `/v1/contacts?email=${encodeURIComponent(email)}`, undefined, 200);
    await call(ctx.app, ctx.keys.rep, 'GET', `/v1/contacts/${contact.id}`, undefined, 200);
    const { text } = await scrape();
    for (const secret of [email, 'Zebulon', 'Quixote', contact.id, ctx.keys.rep]) expect(text).not.toContain(secret);
    expect(parseExposition(text).value('crm_http_request_duration_seconds_count', { method: 'GET', route: '/v1/contacts', status: '200' })).toBe(1);
  });
});
