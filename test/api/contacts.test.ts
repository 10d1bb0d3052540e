import { bearer } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { seedContact, seedSequence, seedEnrollment } from '../harness/seed';

let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext();
});
afterAll(() => ctx.close());

describe('contacts API', () => {
  it('rejects a request without an API key with 401 in the error shape', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/contacts', payload: { email: 'a@example.com' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(res.json().error.requestId).toBe(res.headers['x-request-id']);
  });

  it('rejects an invalid key with 401', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/contacts', headers: bearer('crm_000000000000_' + 'x'.repeat(43)) });
    expect(res.statusCode).toBe(401);
  });

  it('lets a rep create a contact and read it back', async () => {
    const created = await ctx.app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: bearer(ctx.keys.rep),
      payload: { email: ' Ada.Lovelace@Example.COM ', firstName: 'Ada', lastName: 'Lovelace', consent: 'opted_in', timeZone: 'Europe/London' },
    });
    expect(created.statusCode).toBe(201);
    const contact = created.json();
    expect(contact).toMatchObject({ email: 'Ada.Lovelace@Example.COM', firstName: 'Ada', status: 'active', consent: 'opted_in', timeZone: 'Europe/London' });
    const read = await ctx.app.inject({ method: 'GET', url: `/v1/contacts/${contact.id}`, headers: bearer(ctx.keys.rep) });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(contact);
    const stored = await ctx.tdb.db.selectFrom('contacts').select('email_normalized').where('id', '=', contact.id).executeTakeFirstOrThrow();
    expect(stored.email_normalized).toBe('ada.lovelace@example.com');
  });

  it('names the email field when it is not an address', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(ctx.keys.rep), payload: { email: 'nope' } });
    expect(res.statusCode).toBe(400);
    const err = res.json().error;
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details).toEqual([expect.objectContaining({ path: 'body.email' })]);
    expect(await ctx.tdb.db.selectFrom('contacts').select('id').where('email', '=', 'nope').execute()).toHaveLength(0);
  });

  it('names each unknown field (no mass assignment)', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(ctx.keys.rep), payload: { email: 'b@example.com', isAdmin: true, id: 'x' } });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(['body.id', 'body.isAdmin']);
    expect(res.json().error.details[0].problem).toBe('unknown field');
  });

  it('reports every bad field at once, including a bad time zone and a dangling company', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(ctx.keys.rep), payload: { email: 'c@example.com', timeZone: 'Mars/Olympus', consent: 'maybe' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.consent', 'body.timeZone']);
    const dangling = await ctx.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(ctx.keys.rep), payload: { companyId: '00000000-0000-4000-8000-000000000000' } });
    expect(dangling.statusCode).toBe(400);
    expect(dangling.json().error.details).toEqual([{ path: 'body.companyId', problem: 'no company with this id' }]);
  });

  it('does not let an operator create a contact', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(ctx.keys.operator), payload: { email: 'd@example.com' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
    expect(await ctx.tdb.db.selectFrom('contacts').select('id').where('email', '=', 'd@example.com').execute()).toHaveLength(0);
  });

  it('updates with PATCH, lists with filters and cursor pagination, deletes, and logs activities', async () => {
    const company = (await ctx.app.inject({ method: 'POST', url: '/v1/companies', headers: bearer(ctx.keys.rep), payload: { name: 'Acme', domains: ['ACME.example', 'acme.example'] } })).json();
    expect(company.domains).toEqual(['acme.example']);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(ctx.keys.rep), payload: { email: `p${i}@acme.example`, companyId: company.id } });
      ids.push(res.json().id);
    }
    const patched = await ctx.app.inject({ method: 'PATCH', url: `/v1/contacts/${ids[0]}`, headers: bearer(ctx.keys.rep), payload: { status: 'inactive', email: 'NEW@acme.example' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ status: 'inactive', email: 'NEW@acme.example' });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/contacts?companyId=${company.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await ctx.app.inject({ method: 'GET', url, headers: bearer(ctx.keys.rep) })).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((c: { id: string }) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);

    const byEmail = (await ctx.app.inject({ method: 'GET', url: '/v1/contacts?email=new@ACME.example', headers: bearer(ctx.keys.rep) })).json();
    expect(byEmail.items.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
    const byStatus = (await ctx.app.inject({ method: 'GET', url: `/v1/contacts?companyId=${company.id}&status=inactive`, headers: bearer(ctx.keys.rep) })).json();
    expect(byStatus.items).toHaveLength(1);

    const activities = (await ctx.app.inject({ method: 'GET', url: `/v1/contacts/${ids[0]}/activities`, headers: bearer(ctx.keys.rep) })).json();
    expect(activities.items.map((a: { type: string }) => a.type)).toEqual(['contact_updated', 'contact_created']);
    expect(activities.items[0].data.fields.sort()).toEqual(['email', 'status']);

    const del = await ctx.app.inject({ method: 'DELETE', url: `/v1/contacts/${ids[1]}`, headers: bearer(ctx.keys.rep) });
    expect(del.statusCode).toBe(204);
    const gone = await ctx.app.inject({ method: 'GET', url: `/v1/contacts/${ids[1]}`, headers: bearer(ctx.keys.rep) });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('NOT_FOUND');
  });

  it('deleting a contact ends its live enrollments and records which', async () => {
    const seq = await seedSequence(ctx.tdb.db);
    const contactId = await seedContact(ctx.tdb.db, { email: 'leaving@example.com', consent: 'opted_in' });
    const enrollmentId = await seedEnrollment(ctx.tdb.db, { contactId, sequenceId: seq.sequenceId });
    const del = await ctx.app.inject({ method: 'DELETE', url: `/v1/contacts/${contactId}`, headers: bearer(ctx.keys.rep) });
    expect(del.statusCode).toBe(204);
    expect(await ctx.tdb.db.selectFrom('enrollments').select('id').where('id', '=', enrollmentId).execute()).toHaveLength(0);
    const logged = await ctx.tdb.db.selectFrom('activities').select(['type', 'data']).where('contact_id', '=', contactId).where('type', '=', 'contact_deleted').executeTakeFirstOrThrow();
    expect(logged.data).toEqual({ endedEnrollmentIds: [enrollmentId] });
  });

  it('rejects a forged cursor and a non-UUID id with 400', async () => {
    const badCursor = await ctx.app.inject({ method: 'GET', url: '/v1/contacts?cursor=abc', headers: bearer(ctx.keys.rep) });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().error.details[0].path).toBe('querystring.cursor');
    const badId = await ctx.app.inject({ method: 'GET', url: '/v1/contacts/123', headers: bearer(ctx.keys.rep) });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.details[0].path).toBe('params.id');
  });
});
