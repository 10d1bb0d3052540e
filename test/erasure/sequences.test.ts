/**
 * Sequences first. (1) From the moment a request is accepted no email goes out: an enrollment whose
 * timer fires after acceptance, before the erasure reached stop_sequences, is refused by the send claim
 * under its locks (ERASED). (2) An enrollment workflow that does not close after being ended (stuck:
 * no worker polls its queue) is terminated by the erasure itself after the bound, and recorded.
 */
import { enrollContacts } from '../../services/enrollments/enroll';
import { erasureService } from '../../services/erasure/requests';
import { eventually } from '../harness/eventually';
import { seedContact } from '../harness/seed';
import { sinkContents } from '../sequences-edges/e2e';
import { activeSequence, awaitErasure, createErasureWorld, enroll, requestErasure, type ErasureWorld } from './world';

let world: ErasureWorld;
beforeAll(async () => {
  world = await createErasureWorld({ name: 'sequences', config: { ERASURE_ENROLLMENT_STOP_TIMEOUT: 'PT3S' } });
});
afterAll(() => world?.close());

it('sends nothing after acceptance: the claim of a timer that fires later sees the request (ERASED)', async () => {
  const db = world.ctx.tdb.db;
  const contactId = await seedContact(db, { email: 'timer@erasure.example', firstName: 'Tamsin' });
  const seq = await activeSequence(world, [{ subject: 'Later', text: 'Hello {{contact.firstName}}', delay: 'PT4S' }]);
  const enrollmentId = await enroll(world, seq.sequenceId, contactId);
  // Accepted now; its workflow waits on a queue no worker polls, so stop_sequences never runs: only the claim can stop the email.
  const parked = erasureService({ db, temporal: world.temporal.client, config: { ...world.ctx.config, TEMPORAL_TASK_QUEUE: `${world.taskQueue}-parked` } });
  const { view } = await parked.request({ contactId }, { userId: world.ctx.keys.userIds.compliance, role: 'compliance' });
  expect(view.steps.every((s) => s.status === 'pending')).toBe(true);

  const ended = await eventually(async () => {
    const row = await db.selectFrom('enrollments').select(['status', 'ended_reason']).where('id', '=', enrollmentId).executeTakeFirstOrThrow();
    return row.status === 'ended' ? row : undefined;
  }, 'the enrollment to end at its first step', 30_000);
  expect(ended.ended_reason).toBe('ERASED');
  expect(await db.selectFrom('email_sends').select(['status', 'reason_code']).where('enrollment_id', '=', enrollmentId).execute()).toEqual([{ status: 'blocked', reason_code: 'ERASED' }]);
  expect((await sinkContents(world.mailDir)).files).toEqual([]);
  await world.temporal.client.workflow.getHandle(view.workflowId).terminate('test cleanup');
});

it('terminates an enrollment workflow that does not close within the bound, and records it', async () => {
  const db = world.ctx.tdb.db;
  const contactId = await seedContact(db, { email: 'stuck@erasure.example', firstName: 'Stellan' });
  const seq = await activeSequence(world, [{ subject: 'Stuck', text: 'Hi', delay: 'P1D' }]);
  // Its workflow runs on a queue without a worker: it never handles the end signal (a wedged workflow).
  const [enrolled] = await enrollContacts({ db, temporal: world.temporal.client, config: { ...world.ctx.config, TEMPORAL_TASK_QUEUE: `${world.taskQueue}-wedged` } }, seq.sequenceId, [contactId], { actor: { userId: null, role: 'system' } });
  const enrollmentId = enrolled!.enrollmentId!;

  const r = await requestErasure(world, { contactId });
  const done = await awaitErasure(world, r.id);
  expect(done.steps.find((s: { name: string }) => s.name === 'stop_sequences')).toMatchObject({ status: 'completed', code: 'ENROLLMENT_TERMINATED', detail: expect.stringMatching(/1 enrollment workflow\(s\) did not close in time and were terminated/) });
  const d = await world.temporal.client.workflow.getHandle(`enrollment-${enrollmentId}`).describe();
  expect(d.status.name).toBe('TERMINATED');
  const log = await db.selectFrom('activities').select(['type', 'reason_code']).where('reason_code', '=', 'ENROLLMENT_TERMINATED').execute();
  expect(log).toEqual([{ type: 'unenrolled', reason_code: 'ENROLLMENT_TERMINATED' }]);
});
