/**
 * Data scope (OWASP API1/API5): who may change which contact, for every role and ownership pair.
 * Reps write their own and unowned contacts (writing an unowned one claims it); another rep's contact is
 * a 403 NOT_OWNER naming the owner; admins write all; compliance and operators write none; operators
 * read no contact personal data at all.
 */
import { createUser, issueApiKey } from '../../db/api-keys';
import { bearer, callJson } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { seedContact, seedSequence } from '../harness/seed';

let ctx: ApiContext;
let otherRep: { userId: string; key: string };
beforeAll(async () => {
  ctx = await createApiContext();
  const userId = await createUser(ctx.tdb.db, 'Other rep', 'rep');
  otherRep = { userId, key: (await issueApiKey(ctx.tdb.db, userId, 'other')).key };
});
afterAll(() => ctx.close());

type Owner = 'me' | 'other' | 'none';
const ownerId = (o: Owner) => (o === 'me' ? ctx.keys.userIds.rep : o === 'other' ? otherRep.userId : null);
const contactOwnedBy = (o: Owner) => seedContact(ctx.tdb.db, { ownerId: ownerId(o) });
const ownerOf = async (id: string) => (await ctx.tdb.db.selectFrom('contacts').select('owner_id').where('id', '=', id).executeTakeFirst())?.owner_id;

const inject = (key: string, method: 'GET' | 'PATCH' | 'DELETE' | 'POST', url: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(key), ...(payload && { payload }) });

describe('contact writes by the rep ("me"), per owner', () => {
  it.each<[Owner, number]>([['me', 200], ['none', 200], ['other', 403]])('PATCH a contact owned by %s → %i', async (owner, status) => {
    const id = await contactOwnedBy(owner);
    const res = await inject(ctx.keys.rep, 'PATCH', `/v1/contacts/${id}`, { lastName: 'Changed' });
    expect(res.statusCode).toBe(status);
    if (status === 403) expect(res.json().error).toMatchObject({ code: 'NOT_OWNER', message: expect.stringContaining(otherRep.userId) });
    // An unowned contact becomes the rep's; an owned one keeps its owner.
    expect(await ownerOf(id)).toBe(owner === 'other' ? otherRep.userId : ctx.keys.userIds.rep);
  });

  it.each<[Owner, number]>([['me', 200], ['none', 200], ['other', 403]])('reassign (PATCH ownerId) a contact owned by %s → %i', async (owner, status) => {
    const id = await contactOwnedBy(owner);
    const res = await inject(ctx.keys.rep, 'PATCH', `/v1/contacts/${id}`, { ownerId: otherRep.userId });
    expect(res.statusCode).toBe(status);
    // Reassigned when allowed; when refused it was the other rep's and still is.
    expect(await ownerOf(id)).toBe(otherRep.userId);
    if (owner === 'me') expect((await ctx.tdb.db.selectFrom('activities').select('data').where('contact_id', '=', id).where('type', '=', 'contact_updated').executeTakeFirst())?.data).toEqual({ fields: ['ownerId'] });
  });

  it.each<[Owner, number]>([['me', 204], ['none', 204], ['other', 403]])('DELETE a contact owned by %s → %i', async (owner, status) => {
    const id = await contactOwnedBy(owner);
    expect((await inject(ctx.keys.rep, 'DELETE', `/v1/contacts/${id}`)).statusCode).toBe(status);
    expect(await ownerOf(id)).toBe(status === 204 ? undefined : otherRep.userId);
  });

  it('enrolls its own and unowned contacts (claiming them), and refuses another rep\'s with NOT_OWNER', async () => {
    const seq = await seedSequence(ctx.tdb.db);
    const [mine, unowned, theirs] = await Promise.all([contactOwnedBy('me'), contactOwnedBy('none'), contactOwnedBy('other')]);
    const { results } = await callJson(ctx.app, ctx.keys.rep, 'POST', `/v1/sequences/${seq.sequenceId}/enrollments`, { contactIds: [mine, unowned, theirs] }, 200);
    const byId = Object.fromEntries((results as { contactId: string; status: string; reasons: string[] }[]).map((r) => [r.contactId, r]));
    expect(byId[mine]).toMatchObject({ status: 'enrolled' });
    expect(byId[unowned]).toMatchObject({ status: 'enrolled' });
    expect(byId[theirs]).toMatchObject({ status: 'rejected', reasons: ['NOT_OWNER'] });
    expect(await ownerOf(unowned)).toBe(ctx.keys.userIds.rep);
    // Changing an enrollment of another rep's contact is refused as well.
    const { results: theirEnrollment } = await callJson(ctx.app, otherRep.key, 'POST', `/v1/sequences/${seq.sequenceId}/enrollments`, { contactIds: [theirs] }, 200);
    for (const action of ['pause', 'resume', 'unenroll']) {
      const res = await inject(ctx.keys.rep, 'POST', `/v1/enrollments/${theirEnrollment[0].enrollmentId}/${action}`);
      expect({ action, status: res.statusCode, code: res.json().error?.code }).toEqual({ action, status: 403, code: 'NOT_OWNER' });
    }
  });

  it("records another rep's contact's unsubscribe (an opt-out is honoured whoever writes it down)", async () => {
    const theirs = await contactOwnedBy('other');
    expect((await inject(ctx.keys.rep, 'POST', `/v1/contacts/${theirs}/unsubscribe`)).statusCode).toBe(200);
  });

  it('creates contacts owned by the rep', async () => {
    const created = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/contacts', { firstName: 'New' }, 201);
    expect(created.ownerId).toBe(ctx.keys.userIds.rep);
  });
});

describe('the other roles', () => {
  it('admins write every contact, whoever owns it', async () => {
    for (const owner of ['me', 'other', 'none'] as const) {
      const id = await contactOwnedBy(owner);
      expect((await inject(ctx.keys.admin, 'PATCH', `/v1/contacts/${id}`, { lastName: 'Admin' })).statusCode).toBe(200);
      expect(await ownerOf(id)).toBe(ownerId(owner)); // an admin's change claims nothing
      expect((await inject(ctx.keys.admin, 'DELETE', `/v1/contacts/${id}`)).statusCode).toBe(204);
    }
  });

  it.each(['compliance', 'operator'] as const)('%s writes no contact', async (role) => {
    const id = await contactOwnedBy('none');
    expect((await inject(ctx.keys[role], 'PATCH', `/v1/contacts/${id}`, { lastName: 'X' })).statusCode).toBe(403);
    expect((await inject(ctx.keys[role], 'DELETE', `/v1/contacts/${id}`)).statusCode).toBe(403);
  });

  it('operators read workflow and job status by id, but no contact personal data', async () => {
    const id = await seedContact(ctx.tdb.db, { email: 'private.person@example.com', firstName: 'Private' });
    for (const url of [`/v1/contacts/${id}`, '/v1/contacts?email=private.person@example.com', `/v1/contacts/${id}/activities`, `/v1/contacts/${id}/enrollments`, `/v1/contacts/${id}/diagnostics`]) {
      const res = await inject(ctx.keys.operator, 'GET', url);
      expect({ url, status: res.statusCode }).toEqual({ url, status: 403 });
      expect(res.body).not.toContain('private.person');
    }
    expect((await inject(ctx.keys.operator, 'GET', '/v1/sequences')).statusCode).toBe(200);
    expect((await inject(ctx.keys.compliance, 'GET', `/v1/contacts/${id}`)).statusCode).toBe(200);
  });
});
