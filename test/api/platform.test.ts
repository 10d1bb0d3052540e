import { lazyTemporalClient } from '../../temporal/client';
import pino from 'pino';
import { LOG_REDACT, requestLogSerializers } from '../../api/logging';
import { createDatabase } from '../../db/database';
import { connectTestClient, testTemporalTarget } from '../harness/temporal';
import { bearer, createTestApp } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { testConfig } from '../harness/config';

let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext({ BODY_LIMIT_BYTES: '2048' });
});
afterAll(() => ctx.close());

describe('health', () => {
  it('reports the process up and the database and Temporal reachable', async () => {
    expect((await ctx.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await ctx.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: { ok: true }, temporal: { ok: true } } });
  });

  it('answers 503 naming what is unreachable', async () => {
    const deadDb = createDatabase('postgres://nobody:x@127.0.0.1:1/none');
    const temporal = lazyTemporalClient({ ...testTemporalTarget(), address: '127.0.0.1:1' });
    const app = await createTestApp({ db: deadDb, temporal: temporal.client, config: ctx.config });
    try {
      const res = await app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      const body = res.json();
      expect(body.status).toBe('not_ready');
      expect(body.checks.database.ok).toBe(false);
      expect(body.checks.temporal.ok).toBe(false);
    } finally {
      await app.close();
      await deadDb.destroy();
      await temporal.close();
    }
  });
});

describe('error shape', () => {
  it('413 for a body over the limit, in the error shape', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/companies', headers: { ...bearer(ctx.keys.admin), 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(5000) }) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('400 INVALID_JSON for malformed JSON', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/companies', headers: { ...bearer(ctx.keys.admin), 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_JSON');
  });

  it('404 for an unknown route', async () => {
    const res = await ctx.app.inject({ url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('sets security headers and a request id', async () => {
    const res = await ctx.app.inject({ url: '/healthz' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('429 after the write rate limit, per key', async () => {
    // Its own app: the limit (5 writes a minute) counts every write of a key, across routes.
    const limited = await createApiContext({ WRITE_RATE_LIMIT_PER_MINUTE: '5' });
    try {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await limited.app.inject({ method: 'POST', url: '/v1/companies', headers: bearer(limited.keys.rep), payload: { name: `Rate ${i}` } });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) expect(res.json().error.code).toBe('RATE_LIMITED');
    }
    expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // Reads are not limited, and other keys have their own budget.
    expect((await limited.app.inject({ url: '/v1/companies', headers: bearer(limited.keys.rep) })).statusCode).toBe(200);
    expect((await limited.app.inject({ method: 'POST', url: '/v1/companies', headers: bearer(limited.keys.admin), payload: { name: 'Admin co' } })).statusCode).toBe(201);
    } finally {
      await limited.close();
    }
  });
});

describe('users, keys and the audit log', () => {
  it('lets an admin issue a key shown once, which works until revoked', async () => {
    const user = (await ctx.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(ctx.keys.admin), payload: { name: 'New Rep', role: 'rep' } })).json();
    const issued = await ctx.app.inject({ method: 'POST', url: `/v1/users/${user.id}/api-keys`, headers: bearer(ctx.keys.admin), payload: { name: 'laptop' } });
    expect(issued.statusCode).toBe(201);
    const { id, key } = issued.json();
    expect(key).toMatch(/^crm_[0-9a-f]{12}_/);
    const stored = await ctx.tdb.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored.key_hash).not.toContain(key.slice(-43));
    const listed = (await ctx.app.inject({ url: `/v1/users/${user.id}/api-keys`, headers: bearer(ctx.keys.admin) })).json();
    expect(JSON.stringify(listed)).not.toContain(key);
    expect((await ctx.app.inject({ url: '/v1/contacts', headers: bearer(key) })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: bearer(ctx.keys.admin) })).statusCode).toBe(204);
    expect((await ctx.app.inject({ url: '/v1/contacts', headers: bearer(key) })).statusCode).toBe(401);
  });

  it('records who wrote what, without request bodies, readable by compliance', async () => {
    const created = (await ctx.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(ctx.keys.admin), payload: { email: 'secret.person@example.com', firstName: 'Secretname' } })).json();
    const log = await ctx.app.inject({ url: `/v1/audit-log?entityId=${created.id}`, headers: bearer(ctx.keys.compliance) });
    expect(log.statusCode).toBe(200);
    // A create is audited with the id it created (issue 8: it used to be null).
    expect(log.json().items).toEqual([expect.objectContaining({ method: 'POST', route: '/v1/contacts', statusCode: 201, entityType: 'contact', entityId: created.id })]);
    const all = await ctx.app.inject({ url: `/v1/audit-log?userId=${ctx.keys.userIds.admin}`, headers: bearer(ctx.keys.compliance) });
    const entries = all.json().items;
    expect(entries.some((e: { method: string; route: string; statusCode: number }) => e.method === 'POST' && e.route === '/v1/contacts' && e.statusCode === 201)).toBe(true);
    expect(JSON.stringify(entries)).not.toMatch(/secret\.person|Secretname/);
    const patched = await ctx.app.inject({ method: 'PATCH', url: `/v1/contacts/${created.id}`, headers: bearer(ctx.keys.rep), payload: { lastName: 'X' } });
    expect(patched.statusCode).toBe(200);
    const byEntity = (await ctx.app.inject({ url: `/v1/audit-log?entityId=${created.id}`, headers: bearer(ctx.keys.compliance) })).json().items;
    expect(byEntity).toEqual([
      expect.objectContaining({ method: 'PATCH', route: '/v1/contacts/:id', entityType: 'contact', role: 'rep', userId: ctx.keys.userIds.rep }),
      expect.objectContaining({ method: 'POST', route: '/v1/contacts', entityType: 'contact', role: 'admin' }),
    ]);
    expect((await ctx.app.inject({ url: '/v1/audit-log', headers: bearer(ctx.keys.rep) })).statusCode).toBe(403);
  });
});

describe('logging', () => {
  it('logs requests with ids and paths, never query strings, bodies or API keys', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info', redact: LOG_REDACT, serializers: requestLogSerializers }, { write: (line: string) => void lines.push(line) });
    const temporal = await connectTestClient();
    const app = await createTestApp({ db: ctx.tdb.db, temporal: temporal.client, config: ctx.config, logger });
    try {
      await app.inject({ url: '/v1/contacts?email=private.person@example.com', headers: bearer(ctx.keys.rep) });
      await app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(ctx.keys.rep), payload: { email: 'body.person@example.com' } });
    } finally {
      await app.close();
      await temporal.close();
    }
    const log = lines.join('');
    expect(log).toContain('"url":"/v1/contacts"');
    expect(log).toMatch(/"reqId":"[0-9a-f-]{36}"/);
    expect(log).not.toMatch(/private\.person|body\.person|crm_[0-9a-f]{12}_/);
  });
});

describe('reason codes', () => {
  it('lists every code the service records with its meaning, for any role', async () => {
    const res = await ctx.app.inject({ url: '/v1/reason-codes', headers: bearer(ctx.keys.operator) });
    expect(res.statusCode).toBe(200);
    const items: Array<{ code: string; description: string }> = res.json().items;
    const codes = items.map((i) => i.code);
    expect(codes).toEqual(expect.arrayContaining(['CONSENT_OPTED_OUT', 'SUPPRESSED', 'UNSUBSCRIBED', 'INTEGRATION_KEY_MISMATCH', 'PSA_CONFIRMATION_TIMEOUT', 'COMPANY_ALREADY_LINKED']));
    expect(new Set(codes).size).toBe(codes.length);
    expect(items.every((i) => i.description.length > 10)).toBe(true);
  });
});

describe('OpenAPI', () => {
  it('serves the spec generated from the zod schemas, and the docs UI', async () => {
    const spec = (await ctx.app.inject({ url: '/openapi.json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    const create = spec.paths['/v1/contacts'].post;
    expect(Object.keys(create.requestBody.content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['email', 'firstName', 'consent', 'timeZone']));
    expect((await ctx.app.inject({ url: '/docs/' })).statusCode).toBe(200);
  });
});

it('the test config points at the harness Temporal server', () => {
  expect(testConfig().TEMPORAL_ADDRESS).toBe(process.env.TEST_TEMPORAL_ADDRESS);
});
