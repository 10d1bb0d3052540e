import { enrollmentContract } from '../../workflows/enrollment/contract';
import { createWorld, enrollOne, getEnrollment, type World } from './world';
import { seedContact } from '../harness/seed';
import { call } from '../harness/api';

let world: World;
beforeAll(async () => {
  world = await createWorld({ name: 'limits', timeSkipping: true });
});
afterAll(() => world.close());

const MINUTE = 60_000;
const DAY = 86_400_000;
const resultOf = (enrollmentId: string) => world.client.workflow.getHandle(enrollmentContract.id(enrollmentId)).result();
/**
 * One after the other: each time-skipping result() unlocks the clock and locks it again, and the
 * test server's lock does not count below zero, so concurrent calls would leave it locked.
 */
async function resultsOf(ids: string[]) {
  const out = [];
  for (const id of ids) out.push(await resultOf(id));
  return out;
}
const sendOf = (enrollmentId: string) => world.tdb.db.selectFrom('email_sends').selectAll().where('enrollment_id', '=', enrollmentId).executeTakeFirstOrThrow();
const deferrals = (contactIds: string[]) =>
  world.tdb.db.selectFrom('activities').select(['contact_id', 'reason_code', 'data']).where('type', '=', 'email_deferred').where('contact_id', 'in', contactIds).execute();

describe('sending limits defer, never drop', () => {
  it('per-minute limit 1: the second send is deferred with MAILBOX_RATE_LIMIT and goes out the next minute', async () => {
    const mailboxId = await world.mailbox({ perMinuteLimit: 1 });
    const seq = await world.sequence({ name: 'Paced', mailboxId, sendWindow: null, steps: [{ subject: 's', text: 't', delay: 'PT0S' }] });
    const contacts = [await seedContact(world.tdb.db), await seedContact(world.tdb.db)];
    const res = await call(world.app, world.keys.rep, 'POST', `/v1/sequences/${seq.id}/enrollments`, { contactIds: contacts }, 200);
    const ids = res.json().results.map((r: { enrollmentId: string }) => r.enrollmentId) as string[];
    const outcome = await resultsOf(ids);
    expect(outcome).toEqual([{ status: 'completed' }, { status: 'completed' }]);

    const sends = await Promise.all(ids.map(sendOf));
    expect(sends.map((s) => s.status)).toEqual(['sent', 'sent']);
    const minutes = sends.map((s) => Math.floor(s.sent_at!.getTime() / MINUTE));
    expect(new Set(minutes).size).toBe(2);
    const deferred = await deferrals(contacts);
    expect(deferred.length).toBeGreaterThanOrEqual(1);
    expect(deferred.every((d) => d.reason_code === 'MAILBOX_RATE_LIMIT')).toBe(true);
    expect(new Set(deferred.map((d) => d.contact_id)).size).toBe(1);
    expect((await world.emails()).length).toBeGreaterThanOrEqual(2);
  });

  it('daily limit 1: the second send waits for the next UTC day (MAILBOX_DAILY_LIMIT)', async () => {
    const mailboxId = await world.mailbox({ dailyLimit: 1 });
    const seq = await world.sequence({ name: 'Capped', mailboxId, sendWindow: null, steps: [{ subject: 's', text: 't', delay: 'PT0S' }] });
    const contacts = [await seedContact(world.tdb.db), await seedContact(world.tdb.db)];
    const res = await call(world.app, world.keys.rep, 'POST', `/v1/sequences/${seq.id}/enrollments`, { contactIds: contacts }, 200);
    const ids = res.json().results.map((r: { enrollmentId: string }) => r.enrollmentId) as string[];
    expect(await resultsOf(ids)).toEqual([{ status: 'completed' }, { status: 'completed' }]);
    const [a, b] = (await Promise.all(ids.map(sendOf))).sort((x, y) => x.sent_at!.getTime() - y.sent_at!.getTime()) as [Awaited<ReturnType<typeof sendOf>>, Awaited<ReturnType<typeof sendOf>>];
    expect(Math.floor(b.sent_at!.getTime() / DAY)).toBe(Math.floor(a.sent_at!.getTime() / DAY) + 1);
    expect(b.sent_at!.getTime() % DAY).toBeLessThan(MINUTE); // right after UTC midnight
    const deferred = await deferrals(contacts);
    expect(deferred.map((d) => d.reason_code)).toEqual(['MAILBOX_DAILY_LIMIT']);
    const later = await world.tdb.db.selectFrom('enrollments').select('contact_id').where('id', '=', b.enrollment_id).executeTakeFirstOrThrow();
    expect(deferred[0]!.contact_id).toBe(later.contact_id);
  });
});

describe('a claimed but unconfirmed send', () => {
  it('becomes uncertain (not re-sent) and the sequence moves on to the next step', async () => {
    const mailboxId = await world.mailbox();
    const seq = await world.sequence({ name: 'Crash', mailboxId, sendWindow: null, steps: [{ subject: 'one', text: '1', delay: 'PT1H' }, { subject: 'two', text: '2', delay: 'PT1H' }] });
    const enrollmentId = await enrollOne(world, seq.id, await seedContact(world.tdb.db));
    // What a worker killed between the claim and the confirmation leaves behind.
    await world.tdb.db
      .insertInto('email_sends')
      .values({ enrollment_id: enrollmentId, step_id: seq.steps[0]!.id, mailbox_id: mailboxId, status: 'claimed', message_id: '<killed-mid-send@crm-workflows.local>', claimed_at: new Date(), links: '[]' })
      .execute();
    const before = await world.emails();
    expect(await resultOf(enrollmentId)).toEqual({ status: 'completed' });
    const after = await world.emails();
    expect(after.length).toBe(before.length + 1); // only step two
    expect(after).not.toContain('killed-mid-send@crm-workflows.local.eml');
    const view = await getEnrollment(world, enrollmentId);
    expect(view.steps.map((s: { status: string; reasons: string[] }) => [s.status, s.reasons])).toEqual([
      ['uncertain', ['SEND_UNCERTAIN']],
      ['sent', ['OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT']],
    ]);
    const uncertain = await world.tdb.db.selectFrom('activities').select('reason_code').where('type', '=', 'email_uncertain').where('contact_id', '=', view.contactId).execute();
    expect(uncertain).toEqual([{ reason_code: 'SEND_UNCERTAIN' }]);
  });
});
