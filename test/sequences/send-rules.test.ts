import { enrollmentContract } from '../../workflows/enrollment/contract';
import { createWorld, enrollOne, getEnrollment, type World } from './world';
import { seedContact } from '../harness/seed';
import { call } from '../harness/api';

let world: World;
let mailboxId: string;
beforeAll(async () => {
  world = await createWorld({ name: 'send-rules', timeSkipping: true });
  mailboxId = await world.mailbox();
});
afterAll(() => world.close());

type Change = (ids: { contactId: string; sequenceId: string }) => Promise<unknown>;

/**
 * Each end rule, re-checked when the step is due: a contact enrolled while everything passed, then
 * the fact changes before the step's (skipped-over) one-hour delay: nothing is sent, the enrollment
 * ends with the rule's code, the step says why and the activity log has email_blocked.
 */
const endCases: [string, Change][] = [
  ['CONSENT_OPTED_OUT', ({ contactId }) => world.tdb.db.updateTable('contacts').set({ consent: 'opted_out' }).where('id', '=', contactId).execute()],
  ['CONSENT_UNKNOWN', ({ contactId }) => world.tdb.db.updateTable('contacts').set({ consent: 'unknown' }).where('id', '=', contactId).execute()],
  ['CONTACT_BOUNCED', ({ contactId }) => world.tdb.db.updateTable('contacts').set({ status: 'bounced' }).where('id', '=', contactId).execute()],
  ['CONTACT_UNSUBSCRIBED', ({ contactId }) => world.tdb.db.updateTable('contacts').set({ status: 'unsubscribed' }).where('id', '=', contactId).execute()],
  ['CONTACT_NO_EMAIL', ({ contactId }) => world.tdb.db.updateTable('contacts').set({ email: null, email_normalized: null }).where('id', '=', contactId).execute()],
  ['SUPPRESSED', async ({ contactId }) => {
    const c = await world.tdb.db.selectFrom('contacts').select('email_normalized').where('id', '=', contactId).executeTakeFirstOrThrow();
    await world.tdb.db.insertInto('suppressions').values({ address_normalized: c.email_normalized, reason: 'manual', created_by: 'test' }).execute();
  }],
  // The API ends live enrollments on archive; a direct change proves the send-time rule on its own.
  ['SEQUENCE_ARCHIVED', ({ sequenceId }) => world.tdb.db.updateTable('sequences').set({ status: 'archived' }).where('id', '=', sequenceId).execute()],
];

describe('rules at send time', () => {
  it.each(endCases)('ends the enrollment with %s and sends nothing', async (code, change) => {
    const seq = await world.sequence({ name: `End ${code}`, mailboxId, sendWindow: null, steps: [{ subject: 's', text: 't', delay: 'PT1H' }] });
    const contactId = await seedContact(world.tdb.db);
    const enrollmentId = await enrollOne(world, seq.id, contactId);
    await change({ contactId, sequenceId: seq.id });
    const before = (await world.emails()).length;

    const result = await world.client.workflow.getHandle(enrollmentContract.id(enrollmentId)).result();
    expect(result).toEqual({ status: 'ended', endedReason: code });
    expect(await world.emails()).toHaveLength(before);
    const view = await getEnrollment(world, enrollmentId);
    expect(view).toMatchObject({ status: 'ended', endedReason: code, waitingFor: [] });
    expect(view.steps).toEqual([{ id: seq.steps[0]!.id, status: 'skipped', reasons: [code] }]);
    const blocked = await world.tdb.db.selectFrom('activities').select(['reason_code', 'data']).where('contact_id', '=', contactId).where('type', '=', 'email_blocked').execute();
    expect(blocked).toEqual([{ reason_code: code, data: expect.objectContaining({ enrollmentId, stepId: seq.steps[0]!.id, codes: expect.arrayContaining([code]) }) }]);
  });

  it('reports every failing end code in the activity, ending with the first', async () => {
    const seq = await world.sequence({ name: 'Many', mailboxId, sendWindow: null, steps: [{ subject: 's', text: 't', delay: 'PT1H' }] });
    const contactId = await seedContact(world.tdb.db);
    const enrollmentId = await enrollOne(world, seq.id, contactId);
    await world.tdb.db.updateTable('contacts').set({ consent: 'opted_out', status: 'bounced' }).where('id', '=', contactId).execute();
    expect(await world.client.workflow.getHandle(enrollmentContract.id(enrollmentId)).result()).toEqual({ status: 'ended', endedReason: 'CONSENT_OPTED_OUT' });
    const blocked = await world.tdb.db.selectFrom('activities').select('data').where('contact_id', '=', contactId).where('type', '=', 'email_blocked').executeTakeFirstOrThrow();
    expect(blocked.data.codes).toEqual(['CONSENT_OPTED_OUT', 'CONTACT_BOUNCED']);
  });

  it('unenroll ends a waiting enrollment at once with UNENROLLED; nothing more is sent', async () => {
    const seq = await world.sequence({ name: 'Unenroll', mailboxId, sendWindow: null, steps: [{ subject: 's', text: 't', delay: 'P1D' }] });
    const contactId = await seedContact(world.tdb.db);
    const enrollmentId = await enrollOne(world, seq.id, contactId);
    const res = await call(world.app, world.keys.rep, 'POST', `/v1/enrollments/${enrollmentId}/unenroll`, undefined, 200);
    expect(res.json()).toMatchObject({ status: 'ended', endedReason: 'UNENROLLED' });
    expect(await world.client.workflow.getHandle(enrollmentContract.id(enrollmentId)).result()).toEqual({ status: 'ended', endedReason: 'UNENROLLED' });
    const sends = await world.tdb.db.selectFrom('email_sends').select('id').where('enrollment_id', '=', enrollmentId).execute();
    expect(sends).toHaveLength(0);
    const activities = await world.tdb.db.selectFrom('activities').select(['type', 'reason_code', 'actor']).where('contact_id', '=', contactId).orderBy('id').execute();
    expect(activities.map((a) => [a.type, a.reason_code])).toEqual([['enrolled', null], ['unenrolled', 'UNENROLLED']]);
    expect(activities[1]!.actor).toBe(`user:${world.keys.userIds.rep}`);
    await call(world.app, world.keys.rep, 'POST', `/v1/enrollments/${enrollmentId}/unenroll`, undefined, 409);
  });
});
