/**
 * GET /v1/companies/duplicates: live companies sharing a domain, a CRM account (linked by two
 * connectors) or an id in another system, grouped, keyset-paginated; a merge empties the group and
 * tombstones are never listed; every role that reads companies may list them.
 */
import { call, callJson } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read loosely
type Json = any;

let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext();
});
afterAll(() => ctx?.close());

const db = () => ctx.tdb.db;
const company = (name: string, domains: string[]): Promise<Json> => callJson(ctx.app, ctx.keys.admin, 'POST', '/v1/companies', { name, domains }, 201);
const duplicates = (query = '', key = ctx.keys.rep): Promise<Json> => callJson(ctx.app, key, 'GET', `/v1/companies/duplicates${query}`, undefined, 200);
const ids = (group: Json) => group.companies.map((c: Json) => c.id).sort();

async function connector(name: string): Promise<string> {
  const row = await db().insertInto('connectors').values({ type: 'salesforce', name, settings: '{}', secret: null, workflow_id: `crm-sync-test-${name}` }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}
const linkAccount = (connectorId: string, externalId: string, companyId: string, status: 'synced' | 'stopped' = 'synced') =>
  db().insertInto('sync_records').values({ connector_id: connectorId, object: 'Account', external_id: externalId, local_kind: 'company', local_id: companyId, status }).execute();

let domainA: Json, domainB: Json, crmA: Json, crmB: Json, extA: Json, extB: Json, alone: Json;
beforeAll(async () => {
  domainA = await company('Acme', ['acme.example', 'acme-other.example']);
  domainB = await company('Acme (support)', ['acme-other.example']);
  crmA = await company('Pylon One', ['pylon-one.example']);
  crmB = await company('Pylon Two', ['pylon-two.example']);
  extA = await company('Books A', ['books-a.example']);
  extB = await company('Books B', ['books-b.example']);
  alone = await company('Alone', ['alone.example']);
  const c1 = await connector('dup-one');
  const c2 = await connector('dup-two');
  await linkAccount(c1, '001PYLON', crmA.id);
  await linkAccount(c2, '001PYLON', crmB.id);
  // A stopped link no longer drives a company: not a shared account.
  await linkAccount(c1, '001ALONE', alone.id);
  await linkAccount(c2, '001ALONE', extA.id, 'stopped');
  for (const c of [extA, extB]) await db().updateTable('companies').set({ external_ids: JSON.stringify({ books: 'bk-shared' }) }).where('id', '=', c.id).execute();
});

describe('GET /v1/companies/duplicates', () => {
  it('lists each shared domain, CRM account and external id with its companies', async () => {
    const page = await duplicates();
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((g: Json) => [g.reason, g.key])).toEqual([
      ['shared_crm_account', '001PYLON'],
      ['shared_domain', 'acme-other.example'],
      ['shared_external_id', 'books=bk-shared'],
    ]);
    expect(ids(page.items[0])).toEqual([crmA.id, crmB.id].sort());
    expect(page.items[1].companies).toEqual(expect.arrayContaining([
      { id: domainA.id, name: 'Acme', domains: ['acme.example', 'acme-other.example'], psaClientId: null },
      { id: domainB.id, name: 'Acme (support)', domains: ['acme-other.example'], psaClientId: null },
    ]));
    expect(ids(page.items[2])).toEqual([extA.id, extB.id].sort());
    expect(JSON.stringify(page)).not.toContain(alone.id);
  });

  it('pages with a cursor, without repeating or losing a group', async () => {
    const first = await duplicates('?limit=2');
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await duplicates(`?limit=2&cursor=${first.nextCursor}`);
    expect(second).toMatchObject({ nextCursor: null });
    expect([...first.items, ...second.items].map((g: Json) => g.key)).toEqual(['001PYLON', 'acme-other.example', 'books=bk-shared']);
    const bad = await call(ctx.app, ctx.keys.rep, 'GET', '/v1/companies/duplicates?cursor=not-a-cursor', undefined, 400);
    expect(bad.json().error.code).toBeDefined();
  });

  it('a merge resolves the group: tombstones are not listed', async () => {
    await callJson(ctx.app, ctx.keys.admin, 'POST', `/v1/companies/${domainA.id}/merge`, { duplicateIds: [domainB.id] }, 200);
    const page = await duplicates();
    expect(page.items.map((g: Json) => g.key)).toEqual(['001PYLON', 'books=bk-shared']);
    expect(JSON.stringify(page)).not.toContain(domainB.id);
  });

  it('every role that reads companies may list duplicates', async () => {
    for (const role of ['admin', 'rep', 'compliance', 'operator'] as const) {
      expect((await duplicates('', ctx.keys[role])).items).toHaveLength(2);
    }
    const anonymous = await ctx.app.inject({ method: 'GET', url: '/v1/companies/duplicates' });
    expect(anonymous.statusCode).toBe(401);
  });
});
