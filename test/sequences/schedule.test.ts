import { enrollmentContract } from '../../workflows/enrollment/contract';
import { createWorld, enrollOne, getEnrollment, type World } from './world';
import { seedContact } from '../harness/seed';
import { eventually } from '../harness/eventually';

let world: World;
beforeAll(async () => {
  world = await createWorld({ name: 'schedule', timeSkipping: true });
});
afterAll(() => world.close());

const DAY = 86_400_000;
/** Activities run in real time between virtual instants; sends land within this of the target. */
const SLACK_MS = 30_000;

/** The first Saturday 10:00 UTC at least an hour after `nowMs`. */
function nextSaturday10Utc(nowMs: number): number {
  const d = new Date(nowMs + 3_600_000);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const daysAhead = (6 - d.getUTCDay() + 7) % 7;
  let target = midnight + daysAhead * DAY + 10 * 3_600_000;
  if (target < nowMs + 3_600_000) target += 7 * DAY;
  return target;
}

describe('a 3-step sequence over days, in the contact\'s time zone', () => {
  it('sends each step at the next window opening in Asia/Kolkata (UTC+05:30), not the sequence\'s zone', async () => {
    const env = world.env!;
    const saturday = nextSaturday10Utc(await env.currentTimeMs());
    await env.sleep(saturday - (await env.currentTimeMs()));

    const mailboxId = await world.mailbox();
    const seq = await world.sequence({
      name: 'Weekly',
      mailboxId,
      timeZone: 'America/New_York', // fallback only: the contact has a zone
      sendWindow: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
      steps: [
        { subject: 'one', text: '1', delay: 'PT0S' },
        { subject: 'two', text: '2', delay: 'P1D' },
        { subject: 'three', text: '3', delay: 'PT10H' },
      ],
    });
    const contactId = await seedContact(world.tdb.db, { timeZone: 'Asia/Kolkata' });
    const enrollmentId = await enrollOne(world, seq.id, contactId);

    // Saturday 15:30 in Kolkata: step 1 waits for Monday 09:00 IST = Monday 03:30 UTC.
    const monday = saturday + 2 * DAY - 6.5 * 3_600_000;
    const waiting = await eventually(async () => {
      const v = await getEnrollment(world, enrollmentId);
      return v.waitingFor.length ? v : undefined;
    }, 'the send window hold');
    expect(waiting).toMatchObject({ status: 'waiting', waitingFor: ['OUTSIDE_SEND_WINDOW'], nextSendAt: new Date(monday).toISOString() });

    expect(await world.client.workflow.getHandle(enrollmentContract.id(enrollmentId)).result()).toEqual({ status: 'completed' });
    const sends = await world.tdb.db
      .selectFrom('email_sends')
      .innerJoin('sequence_steps', 'sequence_steps.id', 'email_sends.step_id')
      .select(['email_sends.sent_at', 'email_sends.status', 'sequence_steps.position'])
      .where('enrollment_id', '=', enrollmentId)
      .orderBy('sequence_steps.position')
      .execute();
    expect(sends.map((s) => s.status)).toEqual(['sent', 'sent', 'sent']);
    const [one, two, three] = sends.map((s) => s.sent_at!.getTime()) as [number, number, number];
    // Step 1: Monday 03:30 UTC (09:00 IST).
    expect(one).toBeGreaterThanOrEqual(monday);
    expect(one - monday).toBeLessThan(SLACK_MS);
    // Step 2: one day after step 1, Tuesday 09:00 IST, inside the window: sent when due.
    expect(two - (one + DAY)).toBeGreaterThanOrEqual(0);
    expect(two - (one + DAY)).toBeLessThan(SLACK_MS);
    // Step 3: due ten hours later (19:00 IST, after the window): waits for Wednesday 09:00 IST = 03:30 UTC.
    const wednesday = monday + 2 * DAY;
    expect(three).toBeGreaterThanOrEqual(wednesday);
    expect(three - wednesday).toBeLessThan(SLACK_MS);
    for (const at of [one, two, three]) {
      const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
      expect(local).toMatch(/^(Mon|Tue|Wed) 09:0\d$/);
    }
  });
});
