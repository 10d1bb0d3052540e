import { loadEnrollmentFactsBatch } from '../../db/enrollment-facts';
import { loadSequenceRuleFacts } from '../../db/sequence-facts';
import { createWorld, type World } from './world';
import { seedContact } from '../harness/seed';
import { call } from '../harness/api';

let world: World;
let mailboxId: string;
beforeAll(async () => {
  world = await createWorld({ name: 'enroll-rules' });
  mailboxId = await world.mailbox();
});
afterAll(() => world.close());

// A long first delay: these tests are about enrollment, not sending.
const steps = [{ subject: 'Hi', text: 'Hello', delay: 'P30D' }];
const enroll = async (sequenceId: string, contactIds: string[]) =>
  (await call(world.app, world.keys.rep, 'POST', `/v1/sequences/${sequenceId}/enrollments`, { contactIds }, 200)).json().results as { contactId: string; status: string; enrollmentId?: string; reasons: string[] }[];

describe('enrollment rules', () => {
  it('rejects each failing rule with its code, and returns every failing code together', async () => {
    const seq = await world.sequence({ name: 'Rules', mailboxId, sendWindow: null, steps });
    const db = world.tdb.db;
    await db.insertInto('suppressions').values([
      { address_normalized: 'suppressed@example.test', reason: 'complained', created_by: 'test' },
      { address_normalized: 'everything@example.test', reason: 'bounced', created_by: 'test' },
    ]).execute();
    const ok = await seedContact(db);
    const optedOut = await seedContact(db, { consent: 'opted_out' });
    const unknown = await seedContact(db, { consent: 'unknown' });
    const suppressed = await seedContact(db, { email: 'SUPPRESSED@example.test' });
    const bounced = await seedContact(db, { status: 'bounced' });
    const unsubscribed = await seedContact(db, { status: 'unsubscribed' });
    const noEmail = await seedContact(db, { email: null });
    const everything = await seedContact(db, { email: 'everything@example.test', consent: 'opted_out', status: 'bounced' });
    const missing = '00000000-0000-4000-8000-00000000abcd';

    const results = await enroll(seq.id, [ok, optedOut, unknown, suppressed, bounced, unsubscribed, noEmail, everything, missing]);
    expect(results.map((r) => [r.status, r.reasons])).toEqual([
      ['enrolled', []],
      ['rejected', ['CONSENT_OPTED_OUT']],
      ['rejected', ['CONSENT_UNKNOWN']],
      ['rejected', ['SUPPRESSED']],
      ['rejected', ['CONTACT_BOUNCED']],
      ['rejected', ['CONTACT_UNSUBSCRIBED']],
      ['rejected', ['CONTACT_NO_EMAIL']],
      ['rejected', ['CONSENT_OPTED_OUT', 'SUPPRESSED', 'CONTACT_BOUNCED']],
      // An id that names no contact (issue 8: it used to say CONTACT_NO_EMAIL).
      ['rejected', ['CONTACT_NOT_FOUND']],
    ]);
    expect(results[0]!.enrollmentId).toEqual(expect.any(String));
    expect(results.slice(1).every((r) => r.enrollmentId === undefined)).toBe(true);
    const rows = await db.selectFrom('enrollments').select('contact_id').where('sequence_id', '=', seq.id).execute();
    expect(rows.map((r) => r.contact_id)).toEqual([ok]);

    // ALREADY_ENROLLED: a second request for a live enrollment, with any other failing code alongside.
    await db.updateTable('contacts').set({ consent: 'unknown' }).where('id', '=', ok).execute();
    expect((await enroll(seq.id, [ok]))[0]).toEqual({ contactId: ok, status: 'rejected', reasons: ['CONSENT_UNKNOWN', 'ALREADY_ENROLLED'] });
  });

  it('rejects every contact of a draft or archived sequence with the sequence code', async () => {
    const draft = (await call(world.app, world.keys.admin, 'POST', '/v1/sequences', { name: 'Draft', mailboxId, steps }, 201)).json();
    const c = await seedContact(world.tdb.db, { consent: 'opted_out' });
    expect((await enroll(draft.id, [c]))[0]!.reasons).toEqual(['CONSENT_OPTED_OUT', 'SEQUENCE_DRAFT']);
    await call(world.app, world.keys.admin, 'POST', `/v1/sequences/${draft.id}/archive`, undefined, 200);
    expect((await enroll(draft.id, [await seedContact(world.tdb.db)]))[0]!.reasons).toEqual(['SEQUENCE_ARCHIVED']);
  });

  it('enrolls into a paused sequence or through a disconnected mailbox, reporting the hold', async () => {
    const paused = await world.sequence({ name: 'Paused', mailboxId, steps });
    await call(world.app, world.keys.admin, 'POST', `/v1/sequences/${paused.id}/pause`, undefined, 200);
    expect((await enroll(paused.id, [await seedContact(world.tdb.db)]))[0]).toMatchObject({ status: 'enrolled', reasons: ['SEQUENCE_PAUSED'] });

    const offline = await world.mailbox({ connected: false });
    const viaOffline = await world.sequence({ name: 'Offline', mailboxId: offline, steps });
    expect((await enroll(viaOffline.id, [await seedContact(world.tdb.db)]))[0]).toMatchObject({ status: 'enrolled', reasons: ['MAILBOX_NOT_CONNECTED'] });
    const noSync = await world.mailbox({ syncEnabled: false });
    const viaNoSync = await world.sequence({ name: 'No sync', mailboxId: noSync, steps });
    // A hold alongside a rejecting rule: rejected, and every code is reported.
    const results = await enroll(viaNoSync.id, [await seedContact(world.tdb.db), await seedContact(world.tdb.db, { consent: 'unknown' })]);
    expect(results.map((r) => [r.status, r.reasons])).toEqual([['enrolled', ['MAILBOX_SYNC_DISABLED']], ['rejected', ['CONSENT_UNKNOWN', 'MAILBOX_SYNC_DISABLED']]]);
  });

  it('guarantees one live enrollment under concurrent requests (database unique index)', async () => {
    const seq = await world.sequence({ name: 'Race', mailboxId, steps });
    const contactId = await seedContact(world.tdb.db);
    const all = await Promise.all(Array.from({ length: 5 }, () => enroll(seq.id, [contactId])));
    const outcomes = all.map((r) => r[0]!);
    expect(outcomes.filter((o) => o.status === 'enrolled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => o.reasons.includes('ALREADY_ENROLLED'))).toBe(true);
    const rows = await world.tdb.db.selectFrom('enrollments').select('id').where('sequence_id', '=', seq.id).execute();
    expect(rows).toHaveLength(1);
  });

  it('enrolls 1,000 contacts in one request, records an enrolled activity each and starts their workflows', async () => {
    const seq = await world.sequence({ name: 'Bulk', mailboxId, steps });
    const ids = await Promise.all(Array.from({ length: 1000 }, (_, i) => seedContact(world.tdb.db, i % 10 === 0 ? { consent: 'opted_out' } : {})));
    const results = await enroll(seq.id, ids);
    expect(results.map((r) => r.contactId)).toEqual(ids);
    expect(results.filter((r) => r.status === 'enrolled')).toHaveLength(900);
    expect(results.filter((r) => r.status === 'rejected').every((r) => r.reasons.join() === 'CONSENT_OPTED_OUT')).toBe(true);
    const activities = await world.tdb.db.selectFrom('activities').select(({ fn }) => fn.countAll<string>().as('n')).where('type', '=', 'enrolled').where('contact_id', 'in', ids).executeTakeFirstOrThrow();
    expect(Number(activities.n)).toBe(900);
    const sample = results.find((r) => r.status === 'enrolled')!;
    const description = await world.client.workflow.getHandle(`enrollment-${sample.enrollmentId}`).describe();
    expect(description.status.name).toBe('RUNNING');
  });

  it('names the field for bad requests and 404s an unknown sequence', async () => {
    const seq = await world.sequence({ name: 'Bad', mailboxId, steps });
    const c = await seedContact(world.tdb.db);
    const dup = await call(world.app, world.keys.rep, 'POST', `/v1/sequences/${seq.id}/enrollments`, { contactIds: [c, c] }, 400);
    expect(dup.json().error.details).toEqual([expect.objectContaining({ path: 'body.contactIds', problem: 'contact ids must be unique' })]);
    const tooMany = Array.from({ length: 1001 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const big = await call(world.app, world.keys.rep, 'POST', `/v1/sequences/${seq.id}/enrollments`, { contactIds: tooMany }, 400);
    expect(big.json().error.details[0].path).toBe('body.contactIds');
    const empty = await call(world.app, world.keys.rep, 'POST', `/v1/sequences/${seq.id}/enrollments`, { contactIds: [] }, 400);
    expect(empty.json().error.details[0].path).toBe('body.contactIds');
    const bad = await call(world.app, world.keys.rep, 'POST', `/v1/sequences/${seq.id}/enrollments`, { contactIds: ['x'] }, 400);
    expect(bad.json().error.details[0].path).toBe('body.contactIds.0');
    await call(world.app, world.keys.rep, 'POST', '/v1/sequences/00000000-0000-4000-8000-000000000000/enrollments', { contactIds: [c] }, 404);
    await call(world.app, world.keys.operator, 'POST', `/v1/sequences/${seq.id}/enrollments`, { contactIds: [c] }, 403);
  });

  it('loads the same facts in bulk as the per-contact loader the workflow and diagnostics use', async () => {
    const seq = await world.sequence({ name: 'Facts', mailboxId, steps });
    const db = world.tdb.db;
    await db.insertInto('suppressions').values({ address_normalized: 'facts-suppressed@example.test', reason: 'manual', created_by: 'test' }).execute();
    const ids = [
      await seedContact(db),
      await seedContact(db, { email: 'Facts-Suppressed@example.test', consent: 'unknown', status: 'inactive' }),
      await seedContact(db, { email: null }),
      '00000000-0000-4000-8000-00000000ffff',
    ];
    await enroll(seq.id, [ids[0]!]);
    const batch = await loadEnrollmentFactsBatch(db, seq.id, ids);
    for (const id of ids) expect(batch.get(id)).toEqual(await loadSequenceRuleFacts(db, id, seq.id));
  });
});
