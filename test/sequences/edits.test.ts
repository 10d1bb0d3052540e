import { simpleParser } from 'mailparser';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { enrollmentContract } from '../../workflows/enrollment/contract';
import { createWorld, enrollOne, getEnrollment, type World } from './world';
import { seedContact } from '../harness/seed';
import { eventually } from '../harness/eventually';
import { call } from '../harness/api';

let world: World;
let mailboxId: string;
beforeAll(async () => {
  world = await createWorld({ name: 'edits', timeSkipping: true });
  mailboxId = await world.mailbox();
});
afterAll(() => world.close());

const HOUR = 3_600_000;
const sentSteps = async (enrollmentId: string) =>
  world.tdb.db.selectFrom('email_sends').select(['step_id', 'status', 'sent_at', 'message_id']).where('enrollment_id', '=', enrollmentId).where('status', '=', 'sent').orderBy('sent_at').execute();
const subjectOf = async (messageId: string) => (await simpleParser(await fs.readFile(path.join(world.mailDir, `${messageId.slice(1, -1)}.eml`)))).subject;
type StepJson = { id: string; subject: string; text: string | null; delay: string };
const asInput = ({ id, subject, text, delay }: StepJson) => ({ id, subject, text, delay });

describe('editing a live sequence', () => {
  it('uses edited content and delays for steps not yet reached, and skips a removed step', async () => {
    const seq = await world.sequence({
      name: 'Live edit', mailboxId, sendWindow: null,
      steps: [{ subject: 'one', text: '1', delay: 'PT0S' }, { subject: 'two', text: '2', delay: 'P1D' }, { subject: 'three', text: '3', delay: 'P2D' }],
    });
    const [s1, s2, s3] = seq.steps as StepJson[];
    const enrollmentId = await enrollOne(world, seq.id, await seedContact(world.tdb.db, { firstName: 'Ada' }));
    await eventually(async () => ((await sentSteps(enrollmentId)).length === 1 ? true : undefined), 'step one sent');

    // Step two removed; step three reworded and brought forward; a fourth step added.
    const edited = await call(world.app, world.keys.admin, 'PATCH', `/v1/sequences/${seq.id}`, {
      steps: [asInput(s1!), { ...asInput(s3!), subject: 'Edited for {{contact.firstName}}', delay: 'PT1H' }, { subject: 'four', text: '4', delay: 'PT2H' }],
    }, 200);
    const s4 = edited.json().steps[2] as StepJson;
    // The enrollment re-plans at once: its current step is now step three, due an hour after step one.
    const replanned = await eventually(async () => {
      const v = await getEnrollment(world, enrollmentId);
      return v.currentStepId === s3!.id ? v : undefined;
    }, 're-planned to step three');
    const [first] = await sentSteps(enrollmentId);
    expect(replanned.nextSendAt).toBe(new Date(first!.sent_at!.getTime() + HOUR).toISOString());

    expect(await world.client.workflow.getHandle(enrollmentContract.id(enrollmentId)).result()).toEqual({ status: 'completed' });
    const sends = await sentSteps(enrollmentId);
    expect(sends.map((s) => s.step_id)).toEqual([s1!.id, s3!.id, s4.id]);
    expect(await Promise.all(sends.map((s) => subjectOf(s.message_id)))).toEqual(['one', 'Edited for Ada', 'four']);
    const [t1, t3, t4] = sends.map((s) => s.sent_at!.getTime()) as [number, number, number];
    expect(t3 - t1).toBeGreaterThanOrEqual(HOUR);
    expect(t3 - t1).toBeLessThan(HOUR + 30_000);
    expect(t4 - t3).toBeGreaterThanOrEqual(2 * HOUR);
    expect(t4 - t3).toBeLessThan(2 * HOUR + 30_000);

    const view = await getEnrollment(world, enrollmentId);
    expect(view.steps.map((s: { id: string; status: string; reasons: string[] }) => [s.id, s.status, s.reasons])).toEqual([
      [s1!.id, 'sent', ['OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT']],
      [s2!.id, 'skipped', ['STEP_REMOVED']], // where it was
      [s3!.id, 'sent', ['OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT']],
      [s4.id, 'sent', ['OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT']],
    ]);
  });

  it('passes over a step inserted before the point an enrollment has reached (STEP_PASSED)', async () => {
    const seq = await world.sequence({ name: 'Insert', mailboxId, sendWindow: null, steps: [{ subject: 'a', text: 'a', delay: 'PT0S' }, { subject: 'b', text: 'b', delay: 'PT3H' }] });
    const [a, b] = seq.steps as StepJson[];
    const enrollmentId = await enrollOne(world, seq.id, await seedContact(world.tdb.db));
    await eventually(async () => ((await sentSteps(enrollmentId)).length === 1 ? true : undefined), 'step a sent');
    const edited = await call(world.app, world.keys.admin, 'PATCH', `/v1/sequences/${seq.id}`, { steps: [{ subject: 'early', text: 'e', delay: 'PT0S' }, asInput(a!), asInput(b!)] }, 200);
    const early = edited.json().steps[0] as StepJson;
    const during = await eventually(async () => {
      const v = await getEnrollment(world, enrollmentId);
      return v.steps.length === 3 ? v : undefined;
    }, 'three steps');
    expect(during.steps.map((s: { id: string; status: string; reasons: string[] }) => [s.id, s.status, s.reasons])).toEqual([
      [early.id, 'skipped', ['STEP_PASSED']],
      [a!.id, 'sent', ['OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT']],
      [b!.id, 'pending', []],
    ]);
    expect(await world.client.workflow.getHandle(enrollmentContract.id(enrollmentId)).result()).toEqual({ status: 'completed' });
    expect((await sentSteps(enrollmentId)).map((s) => s.step_id)).toEqual([a!.id, b!.id]);
  });
});
