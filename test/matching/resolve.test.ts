/**
 * POST /v1/people/resolve without a CRM connector: each branch with its answer and activity log,
 * multi-domain companies, free-mail domains, erased subjects, validation and the role matrix.
 */
import { sql } from 'kysely';
import { erasureHash } from '../../domain/privacy/erasure-hash';
import { call, callJson } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read loosely
type Json = any;

let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext();
});
afterAll(() => ctx?.close());

const resolve = (body: Record<string, unknown>, expected: number, key = ctx.keys.rep): Promise<Json> => callJson(ctx.app, key, 'POST', '/v1/people/resolve', body, expected);
const companiesWith = (domain: string) => ctx.tdb.db.selectFrom('companies').select(['id', 'domains', 'merged_into']).where(sql<boolean>`domains @> array[${domain}]::text[]`).execute();
const resolvedEntries = (contactId: string) => ctx.tdb.db.selectFrom('activities').selectAll().where('contact_id', '=', contactId).where('type', '=', 'person_resolved').orderBy('id').execute();

describe('free-mail domains', () => {
  it('never create or match a company: the contact has none, the answer and the log say FREE_MAIL_DOMAIN', async () => {
    const companiesBefore = await ctx.tdb.db.selectFrom('companies').select('id').execute();
    const r = await resolve({ email: 'someone@gmail.com', firstName: 'Some', lastName: 'One', source: 'support_issue' }, 201);
    expect(r).toMatchObject({ outcome: 'FREE_MAIL_DOMAIN', contact: { created: true, companyId: null }, company: null, created: ['contact'] });
    expect(r.steps).toEqual([
      expect.objectContaining({ branch: 'MATCH_CONTACT', result: 'no_match' }),
      expect.objectContaining({ branch: 'MATCH_ACCOUNT_DOMAIN', result: 'skipped', code: 'FREE_MAIL_DOMAIN' }),
      expect.objectContaining({ branch: 'MATCH_CRM_DOMAIN', result: 'skipped', code: 'FREE_MAIL_DOMAIN' }),
      expect.objectContaining({ branch: 'MATCH_NEW_ACCOUNT', result: 'skipped', code: 'FREE_MAIL_DOMAIN' }),
    ]);
    expect(await ctx.tdb.db.selectFrom('companies').select('id').execute()).toHaveLength(companiesBefore.length);
    const contact = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/contacts/${r.contact.id}`, undefined, 200);
    expect(contact).toMatchObject({ email: 'someone@gmail.com', firstName: 'Some', lastName: 'One', companyId: null });
    const [entry] = await resolvedEntries(r.contact.id);
    expect(entry).toMatchObject({ reason_code: 'FREE_MAIL_DOMAIN', data: { source: 'support_issue', branch: 'FREE_MAIL_DOMAIN', created: ['contact'] } });
    // No personal data in the log entry.
    expect(JSON.stringify(entry!.data)).not.toMatch(/someone|gmail/);
  });

  it('even when a company lists the free-mail domain, it is not matched', async () => {
    await callJson(ctx.app, ctx.keys.admin, 'POST', '/v1/companies', { name: 'Misconfigured', domains: ['outlook.com'] }, 201);
    const r = await resolve({ email: 'pat@outlook.com', source: 'form' }, 201);
    expect(r).toMatchObject({ outcome: 'FREE_MAIL_DOMAIN', contact: { companyId: null }, company: null });
  });

  it('a known free-mail address is still matched as a contact', async () => {
    const again = await resolve({ email: 'SomeOne@Gmail.com', source: 'reply' }, 200);
    expect(again).toMatchObject({ outcome: 'MATCH_CONTACT', contact: { created: false, companyId: null }, created: [] });
  });
});

describe('the branches in order', () => {
  it('MATCH_NEW_ACCOUNT: no contact, company or connector → a company with the domain (CRM branch skipped and said so), then MATCH_ACCOUNT_DOMAIN for a colleague, then MATCH_CONTACT', async () => {
    const first = await resolve({ email: 'ann@newco.example', source: 'support_issue' }, 201);
    expect(first).toMatchObject({ outcome: 'MATCH_NEW_ACCOUNT', created: ['contact', 'company'], company: { created: true, domains: ['newco.example'], crmLink: null } });
    expect(first.steps.find((s: Json) => s.branch === 'MATCH_CRM_DOMAIN')).toMatchObject({ result: 'skipped', code: 'NO_CRM_CONNECTOR' });
    expect(first.contact.companyId).toBe(first.company.id);
    const company = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/companies/${first.company.id}`, undefined, 200);
    expect(company).toMatchObject({ name: 'newco.example', domains: ['newco.example'], externalIds: {} });

    const colleague = await resolve({ email: 'bob@NewCo.example', source: 'form' }, 201);
    expect(colleague).toMatchObject({ outcome: 'MATCH_ACCOUNT_DOMAIN', created: ['contact'], company: { id: first.company.id, created: false } });
    expect(colleague.steps.map((s: Json) => [s.branch, s.result])).toEqual([['MATCH_CONTACT', 'no_match'], ['MATCH_ACCOUNT_DOMAIN', 'matched']]);

    const same = await resolve({ email: 'ann@newco.example', source: 'reply' }, 200);
    expect(same).toMatchObject({ outcome: 'MATCH_CONTACT', contact: { id: first.contact.id, created: false, companyId: first.company.id }, created: [] });
    expect(await companiesWith('newco.example')).toHaveLength(1);
    expect((await resolvedEntries(first.contact.id)).map((e) => e.reason_code)).toEqual(['MATCH_NEW_ACCOUNT', 'MATCH_CONTACT']);
  });

  it('a company listing several domains matches each of them', async () => {
    const multi = await callJson(ctx.app, ctx.keys.admin, 'POST', '/v1/companies', { name: 'Multi', domains: ['multi.example', 'multi-group.example'] }, 201);
    for (const email of ['a@multi.example', 'b@multi-group.example']) {
      expect(await resolve({ email, source: 'import' }, 201)).toMatchObject({ outcome: 'MATCH_ACCOUNT_DOMAIN', company: { id: multi.id, domains: ['multi.example', 'multi-group.example'] } });
    }
    // A domain that merely contains a listed one is another organisation.
    expect(await resolve({ email: 'c@notmulti.example', source: 'import' }, 201)).toMatchObject({ outcome: 'MATCH_NEW_ACCOUNT' });
  });

  it('two colleagues of a new domain resolved at once end up in one company', async () => {
    const [a, b] = await Promise.all([resolve({ email: 'x@race.example', source: 'form' }, 201), resolve({ email: 'y@race.example', source: 'form' }, 201)]);
    expect([a.outcome, b.outcome].sort()).toEqual(['MATCH_ACCOUNT_DOMAIN', 'MATCH_NEW_ACCOUNT']);
    expect(a.company.id).toBe(b.company.id);
    expect(await companiesWith('race.example')).toHaveLength(1);
  });
});

describe('refusals', () => {
  it('an erased subject is refused with ERASED and nothing is created', async () => {
    const address = 'gone@erased.example';
    await ctx.tdb.db.insertInto('suppressions').values({ address_normalized: null, address_hash: erasureHash(ctx.config.ERASURE_HASH_SECRET!, address), reason: 'erased', created_by: 'test' }).execute();
    const res = await call(ctx.app, ctx.keys.rep, 'POST', '/v1/people/resolve', { email: 'Gone@erased.example', source: 'support_issue' }, 409);
    expect(res.json().error.code).toBe('ERASED');
    expect(await companiesWith('erased.example')).toHaveLength(0);
    expect(await ctx.tdb.db.selectFrom('contacts').select('id').where('email_normalized', '=', address).execute()).toHaveLength(0);
  });

  it('validates the body, naming the fields', async () => {
    const bad = await call(ctx.app, ctx.keys.rep, 'POST', '/v1/people/resolve', { email: 'not-an-address', source: 'fax', extra: 1 }, 400);
    const paths = bad.json().error.details.map((d: Json) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.email', 'body.source']));
    const missing = await call(ctx.app, ctx.keys.rep, 'POST', '/v1/people/resolve', { email: 'a@b.example' }, 400);
    expect(missing.json().error.details.map((d: Json) => d.path)).toContain('body.source');
  });

  it('reps and admins resolve; compliance officers and operators may not', async () => {
    await resolve({ email: 'admin-made@roles.example', source: 'form' }, 201, ctx.keys.admin);
    await resolve({ email: 'rep-made@roles.example', source: 'form' }, 201, ctx.keys.rep);
    for (const role of ['compliance', 'operator'] as const) {
      const res = await call(ctx.app, ctx.keys[role], 'POST', '/v1/people/resolve', { email: `${role}@roles.example`, source: 'form' }, 403);
      expect(res.json().error.code).toBe('FORBIDDEN');
    }
    expect(await ctx.tdb.db.selectFrom('contacts').select('email').where('email_normalized', 'like', '%@roles.example').orderBy('email').execute()).toEqual([{ email: 'admin-made@roles.example' }, { email: 'rep-made@roles.example' }]);
  });
});
