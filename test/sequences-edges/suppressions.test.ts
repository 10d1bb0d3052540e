import { bearer } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { seedContact, activitiesOf } from '../harness/seed';
import { eventually } from '../harness/eventually';

let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext();
});
afterAll(() => ctx.close());

const db = () => ctx.tdb.db;
const post = (key: string, payload: unknown) => ctx.app.inject({ method: 'POST', url: '/v1/suppressions', headers: bearer(key), payload: payload as object });
const get = (key: string, query = '') => ctx.app.inject({ method: 'GET', url: `/v1/suppressions${query}`, headers: bearer(key) });

describe('suppressions API', () => {
  it('adds by normalised address (201), answers a repeat with the existing entry (200), and logs on matching contacts', async () => {
    const contactId = await seedContact(db(), { email: 'Ada@Example.com' });
    const created = await post(ctx.keys.admin, { address: ' ADA@example.COM ', reason: 'manual', note: 'asked by phone' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ address: 'ada@example.com', erased: false, reason: 'manual', note: 'asked by phone', createdBy: `user:${ctx.keys.userIds.admin}` });

    const again = await post(ctx.keys.admin, { address: 'ada@example.com', reason: 'bounced' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(created.json());

    const logged = await activitiesOf(db(), contactId, 'suppression_added');
    expect(logged).toEqual([expect.objectContaining({ reason_code: 'SUPPRESSED', data: { suppressionId: created.json().id, suppressionReason: 'manual' } })]);
  });

  it('names the bad field: address, reason (erased is not accepted), unknown fields', async () => {
    const badAddress = await post(ctx.keys.admin, { address: 'not-an-address', reason: 'manual' });
    expect(badAddress.statusCode).toBe(400);
    expect(badAddress.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.address']);
    const erased = await post(ctx.keys.admin, { address: 'x@example.com', reason: 'erased' });
    expect(erased.statusCode).toBe(400);
    expect(erased.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.reason']);
    const extra = await post(ctx.keys.admin, { address: 'x@example.com', reason: 'manual', id: 'mine' });
    expect(extra.json().error.details).toEqual([expect.objectContaining({ path: 'body.id', problem: 'unknown field' })]);
    expect(await db().selectFrom('suppressions').select('id').where('address_normalized', '=', 'x@example.com').execute()).toHaveLength(0);
  });

  it('lets compliance read but not write, and reps neither', async () => {
    expect((await get(ctx.keys.compliance)).statusCode).toBe(200);
    expect((await get(ctx.keys.rep)).statusCode).toBe(403);
    const write = await post(ctx.keys.compliance, { address: 'c@example.com', reason: 'manual' });
    expect(write.statusCode).toBe(403);
    expect(write.json().error.code).toBe('FORBIDDEN');
  });

  it('pages newest first with a cursor, filters by address (normalised) and reason, and hides erased hashes', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(ctx.keys.admin, { address: `page${i}@list.example`, reason: i % 2 ? 'complained' : 'manual' })).json().id);
    await db().insertInto('suppressions').values({ address_hash: 'h'.repeat(64), reason: 'erased', created_by: 'workflow:erasure-1' }).execute();

    const seen: { id: string; address: string | null; erased: boolean }[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: typeof seen; nextCursor: string | null } = (await get(ctx.keys.compliance, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen.map((s) => s.id)).size).toBe(seen.length);
    // Newest first: the erased row, then the five in reverse order of creation.
    expect(seen[0]).toMatchObject({ address: null, erased: true });
    expect(JSON.stringify(seen[0])).not.toContain('hhhh');
    const mine = seen.filter((s) => s.address?.endsWith('@list.example')).map((s) => s.id);
    expect(mine).toEqual([...ids].reverse());

    const byAddress = (await get(ctx.keys.admin, '?address=PAGE3@List.Example')).json();
    expect(byAddress.items.map((s: { id: string }) => s.id)).toEqual([ids[3]]);
    const complained = (await get(ctx.keys.admin, '?reason=complained')).json();
    expect(complained.items.map((s: { id: string }) => s.id).sort()).toEqual([ids[1], ids[3]].sort());
    const forged = await get(ctx.keys.admin, '?cursor=WyJ4IiwieSJd');
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.details[0].path).toBe('querystring.cursor');
  });

  it('removal requires a reason (400 naming it), is logged on matching contacts and in the audit log', async () => {
    const contactId = await seedContact(db(), { email: 'back@example.com' });
    const s = (await post(ctx.keys.admin, { address: 'back@example.com', reason: 'bounced' })).json();

    const missing = await ctx.app.inject({ method: 'DELETE', url: `/v1/suppressions/${s.id}`, headers: bearer(ctx.keys.admin) });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details).toEqual([expect.objectContaining({ path: 'body.reason' })]);
    const tooShort = await ctx.app.inject({ method: 'DELETE', url: `/v1/suppressions/${s.id}?reason=x`, headers: bearer(ctx.keys.admin) });
    expect(tooShort.statusCode).toBe(400);
    expect(tooShort.json().error.details[0].path).toBe('querystring.reason');
    expect(await db().selectFrom('suppressions').select('id').where('id', '=', s.id).execute()).toHaveLength(1);

    const removed = await ctx.app.inject({ method: 'DELETE', url: `/v1/suppressions/${s.id}`, headers: bearer(ctx.keys.admin), payload: { reason: 'Mailbox fixed, confirmed by the customer' } });
    expect(removed.statusCode).toBe(204);
    expect(await db().selectFrom('suppressions').select('id').where('id', '=', s.id).execute()).toHaveLength(0);
    const logged = await activitiesOf(db(), contactId, 'suppression_removed');
    expect(logged).toEqual([expect.objectContaining({ actor: `user:${ctx.keys.userIds.admin}`, data: { suppressionId: s.id, suppressionReason: 'bounced', removalReason: 'Mailbox fixed, confirmed by the customer' } })]);
    // The audit hook writes after the response is sent: wait for its row.
    const audit = await eventually(async () => {
      const rows = await db().selectFrom('audit_log').selectAll().where('entity_id', '=', s.id).where('method', '=', 'DELETE').where('status_code', '=', 204).execute();
      return rows.length > 0 ? rows : undefined;
    }, 'the audit entry', 5_000, 20);
    expect(audit).toEqual([expect.objectContaining({ route: '/v1/suppressions/:id', entity_type: 'suppression', user_id: ctx.keys.userIds.admin })]);

    const gone = await ctx.app.inject({ method: 'DELETE', url: `/v1/suppressions/${s.id}?reason=again please`, headers: bearer(ctx.keys.admin) });
    expect(gone.statusCode).toBe(404);
  });

  it('records the removal reason even when no contact has the address, and accepts it as ?reason=', async () => {
    const s = (await post(ctx.keys.admin, { address: 'nobody@example.com', reason: 'manual' })).json();
    const removed = await ctx.app.inject({ method: 'DELETE', url: `/v1/suppressions/${s.id}?reason=${encodeURIComponent('added by mistake')}`, headers: bearer(ctx.keys.admin) });
    expect(removed.statusCode).toBe(204);
    const logged = await db().selectFrom('activities').selectAll().where('type', '=', 'suppression_removed').where('contact_id', 'is', null).execute();
    expect(logged.map((a) => a.data)).toContainEqual({ suppressionId: s.id, suppressionReason: 'manual', removalReason: 'added by mistake' });
  });

  it('never removes an erased suppression (409 ERASED)', async () => {
    const row = await db().insertInto('suppressions').values({ address_hash: 'e'.repeat(64), reason: 'erased', created_by: 'workflow:erasure-2' }).returning('id').executeTakeFirstOrThrow();
    const res = await ctx.app.inject({ method: 'DELETE', url: `/v1/suppressions/${row.id}`, headers: bearer(ctx.keys.admin), payload: { reason: 'I want to email them' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'ERASED' });
    expect(res.json().error.message).toMatch(/erased.*cannot be removed/);
    expect(await db().selectFrom('suppressions').select('id').where('id', '=', row.id).execute()).toHaveLength(1);
  });
});
