/**
 * The OpenAPI document is one a client can generate from, and it tells the truth:
 *  - it is a valid OpenAPI 3.1 document (checked by a real validator), with every $ref resolvable;
 *  - every operation documents its responses, public ones declare `security: []`;
 *  - sampled through app.inject (no key, a bad body, an unknown id, valid calls), every response's
 *    status is documented for its operation and its JSON body validates against the documented schema.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { randomUUID } from 'node:crypto';
import { bearer } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { seedContact, seedSequence } from '../harness/seed';

type Operation = { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>; security?: unknown[]; parameters?: { in: string; name: string }[]; requestBody?: unknown };
type OpenApi = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

let ctx: ApiContext;
let doc: OpenApi;
let ajv: Ajv2020;
beforeAll(async () => {
  // Hundreds of unauthenticated probes from one address: the failed-auth limit is not what this file tests.
  ctx = await createApiContext({ AUTH_FAILURE_LIMIT_PER_MINUTE: '100000' });
  doc = (await ctx.app.inject({ url: '/openapi.json' })).json();
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', components: doc.components }, 'openapi');
});
afterAll(() => ctx.close());

const operations = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));

/** Fills `{id}`-style path parameters (and the `{*}` wildcard of token routes). */
const fill = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value);

const failures: string[] = [];
function check(method: string, path: string, op: Operation, res: LightMyRequestResponse): void {
  const documented = op.responses?.[String(res.statusCode)];
  if (!documented) {
    failures.push(`${method} ${path} → ${res.statusCode} is not documented (${res.body.slice(0, 120)})`);
    return;
  }
  const schema = documented.content?.['application/json']?.schema;
  if (!schema || !String(res.headers['content-type'] ?? '').includes('application/json')) return;
  const refRewritten = JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/')) as object;
  const validate = ajv.compile(refRewritten);
  if (!validate(res.json())) failures.push(`${method} ${path} → ${res.statusCode}: body does not match the documented schema: ${ajv.errorsText(validate.errors)}`);
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document whose components hold every referenced schema', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    const refs = [...JSON.stringify(doc.paths).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of new Set(refs)) expect({ ref, defined: ref in doc.components.schemas }).toEqual({ ref, defined: true });
  });

  it('documents responses for every operation; public routes take no API key; 204s have no body', () => {
    for (const { path, method, op } of operations()) {
      expect({ path, method, documented: Object.keys(op.responses ?? {}).some((s) => s.startsWith('2') || s.startsWith('3')) }).toEqual({ path, method, documented: true });
      for (const [status, response] of Object.entries(op.responses ?? {})) if (status === '204') expect({ path, method, content: response.content }).toEqual({ path, method, content: undefined });
    }
    const publicOps = operations().filter(({ op }) => Array.isArray(op.security) && op.security.length === 0).map(({ method, path }) => `${method} ${path}`);
    expect(publicOps).toEqual(expect.arrayContaining(['GET /healthz', 'GET /readyz', 'POST /v1/webhooks/psa', 'POST /v1/webhooks/mail-events', 'GET /u/{*}', 'POST /u/{*}', 'GET /t/o/{*}', 'GET /t/c/{*}']));
  });

  it('documents the constraints the code enforces (formats, enums, limits)', () => {
    const createContact = JSON.stringify(doc.paths['/v1/contacts']!.post);
    expect(createContact.includes('"format":"email"')).toBe(true);
    expect(/timeZone[^}]*"pattern"/.test(createContact)).toBe(true);
    expect(/Why the address may be emailed again/.test(JSON.stringify(doc.paths['/v1/suppressions/{id}']!.delete))).toBe(true);
  });
});

describe('every response matches the document (sampled through app.inject)', () => {
  it('without a key, with a bad body, with an unknown id, with a NUL character', async () => {
    for (const { path, method, op } of operations()) {
      const url = fill(path, randomUUID());
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      check(method, path, op, await ctx.app.inject({ method: method as never, url }));
      if (!isPublic) {
        const payload = op.requestBody ? { __unknown: 'x\u0000' } : undefined;
        check(method, path, op, await ctx.app.inject({ method: method as never, url, headers: bearer(ctx.keys.admin), ...(payload && { payload }) }));
        check(method, path, op, await ctx.app.inject({ method: method as never, url: fill(path, 'not-a-uuid'), headers: bearer(ctx.keys.admin) }));
      }
    }
    expect(failures).toEqual([]);
  });

  it('valid calls across the API', async () => {
    const contactId = await seedContact(ctx.tdb.db, { firstName: 'Ada' });
    const seq = await seedSequence(ctx.tdb.db);
    const a = bearer(ctx.keys.admin);
    const calls: [string, string, unknown?][] = [
      ['GET', '/healthz'], ['GET', '/readyz'], ['GET', '/v1/reason-codes'],
      ['GET', '/v1/contacts'], ['GET', `/v1/contacts/${contactId}`], ['GET', `/v1/contacts/${contactId}/activities`], ['GET', `/v1/contacts/${contactId}/enrollments`],
      ['GET', `/v1/contacts/${contactId}/diagnostics`], ['GET', `/v1/contacts/${contactId}/diagnostics?sequenceId=${seq.sequenceId}`],
      ['POST', '/v1/companies', { name: 'Contract Co', domains: ['contract.example'] }], ['GET', '/v1/companies'],
      ['GET', '/v1/sequences'], ['GET', `/v1/sequences/${seq.sequenceId}`], ['GET', '/v1/mailboxes'], ['GET', `/v1/mailboxes/${seq.mailboxId}`],
      ['POST', `/v1/sequences/${seq.sequenceId}/enrollments`, { contactIds: [contactId, randomUUID()] }],
      ['GET', '/v1/suppressions'], ['POST', '/v1/suppressions', { address: 'nobody@example.com', reason: 'manual' }],
      ['GET', '/v1/users'], ['GET', `/v1/users/${ctx.keys.userIds.rep}/api-keys`], ['GET', '/v1/audit-log'],
      ['POST', `/v1/contacts/${contactId}/unsubscribe`], ['PATCH', `/v1/contacts/${contactId}`, { lastName: 'Lovelace' }],
    ];
    for (const [method, url, payload] of calls) {
      const path = url.split('?')[0]!;
      const match = operations().find((o) => o.method === method && new RegExp(`^${o.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
      expect({ url, documented: match !== undefined }).toEqual({ url, documented: true });
      const res = await ctx.app.inject({ method: method as never, url, headers: a, ...(payload !== undefined && { payload: payload as object }) });
      expect({ url, status: res.statusCode < 300 }).toEqual({ url, status: true });
      check(method, match!.path, match!.op, res);
    }
    expect(failures).toEqual([]);
  });
});
