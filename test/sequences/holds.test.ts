import { enrollmentContract } from '../../workflows/enrollment/contract';
import { createWorld, enrollOne, getEnrollment, type World } from './world';
import { seedContact } from '../harness/seed';
import { eventually } from '../harness/eventually';
import { call } from '../harness/api';

let world: World;
beforeAll(async () => {
  world = await createWorld({ name: 'holds', timeSkipping: true });
});
afterAll(() => world.close());

const HOUR = 3_600_000;
const sendCount = async (enrollmentId: string) =>
  (await world.tdb.db.selectFrom('email_sends').select('id').where('enrollment_id', '=', enrollmentId).where('status', '=', 'sent').execute()).length;
/** Waits until GET /v1/enrollments/:id satisfies `ok`. */
const viewWhere = (id: string, ok: (v: Awaited<ReturnType<typeof getEnrollment>>) => boolean, what: string) =>
  eventually(async () => {
    const v = await getEnrollment(world, id);
    return ok(v) ? v : undefined;
  }, what);

describe('holds wait durably with their code and continue where they were', () => {
  it('pausing the sequence holds a live enrollment with SEQUENCE_PAUSED; resume sends the next step', async () => {
    const mailboxId = await world.mailbox();
    const seq = await world.sequence({ name: 'Pause me', mailboxId, sendWindow: null, steps: [{ subject: 'one', text: '1', delay: 'PT0S' }, { subject: 'two', text: '2', delay: 'PT1H' }] });
    const enrollmentId = await enrollOne(world, seq.id, await seedContact(world.tdb.db));
    await eventually(async () => ((await sendCount(enrollmentId)) === 1 ? true : undefined), 'first step sent');

    await call(world.app, world.keys.admin, 'POST', `/v1/sequences/${seq.id}/pause`, undefined, 200);
    // The hold shows while the second step's delay still runs…
    const held = await viewWhere(enrollmentId, (v) => v.waitingFor.includes('SEQUENCE_PAUSED'), 'SEQUENCE_PAUSED');
    expect(held).toMatchObject({ status: 'paused', waitingFor: ['SEQUENCE_PAUSED'], currentStepId: seq.steps[1]!.id });
    const handle = world.client.workflow.getHandle(enrollmentContract.id(enrollmentId));
    expect(await handle.query(enrollmentContract.queries.status)).toMatchObject({ enrollmentId, status: 'paused', waitingFor: ['SEQUENCE_PAUSED'] });

    // …and holds past the due time: hours later, nothing more was sent.
    await world.env!.sleep(5 * HOUR);
    expect(await sendCount(enrollmentId)).toBe(1);
    const stillHeld = await getEnrollment(world, enrollmentId);
    expect(stillHeld).toMatchObject({ status: 'paused', waitingFor: ['SEQUENCE_PAUSED'] });
    expect(stillHeld.steps.map((s: { status: string; reasons: string[] }) => [s.status, s.reasons])).toEqual([['sent', ['OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT']], ['deferred', ['SEQUENCE_PAUSED']]]);

    await call(world.app, world.keys.admin, 'POST', `/v1/sequences/${seq.id}/resume`, undefined, 200);
    expect(await handle.result()).toEqual({ status: 'completed' });
    expect(await sendCount(enrollmentId)).toBe(2);
  });

  it('a disconnected mailbox holds with MAILBOX_NOT_CONNECTED (the step is not skipped) and sends once reconnected', async () => {
    const mailboxId = await world.mailbox({ connected: false });
    const seq = await world.sequence({ name: 'Offline', mailboxId, sendWindow: null, steps: [{ subject: 'one', text: '1', delay: 'PT0S' }] });
    const enrollmentId = await enrollOne(world, seq.id, await seedContact(world.tdb.db));
    const held = await viewWhere(enrollmentId, (v) => v.waitingFor.length > 0, 'a hold');
    expect(held).toMatchObject({ status: 'waiting', waitingFor: ['MAILBOX_NOT_CONNECTED'] });
    expect(held.steps).toEqual([{ id: seq.steps[0]!.id, status: 'deferred', reasons: ['MAILBOX_NOT_CONNECTED'] }]);

    // Reconnected but sync still off: the hold changes its reason.
    await call(world.app, world.keys.admin, 'PATCH', `/v1/mailboxes/${mailboxId}`, { connected: true, syncEnabled: false }, 200);
    await world.env!.sleep(2 * HOUR); // the safety re-check notices (no signal: it still cannot send)
    await viewWhere(enrollmentId, (v) => v.waitingFor.join() === 'MAILBOX_SYNC_DISABLED', 'MAILBOX_SYNC_DISABLED');
    expect(await sendCount(enrollmentId)).toBe(0);

    await call(world.app, world.keys.admin, 'PATCH', `/v1/mailboxes/${mailboxId}`, { syncEnabled: true }, 200);
    expect(await world.client.workflow.getHandle(enrollmentContract.id(enrollmentId)).result()).toEqual({ status: 'completed' });
    expect(await sendCount(enrollmentId)).toBe(1);
  });

  it('a rep can pause and resume one enrollment (ENROLLMENT_PAUSED)', async () => {
    const mailboxId = await world.mailbox();
    const seq = await world.sequence({ name: 'Rep pause', mailboxId, sendWindow: null, steps: [{ subject: 'one', text: '1', delay: 'PT1H' }] });
    const enrollmentId = await enrollOne(world, seq.id, await seedContact(world.tdb.db));
    const accepted = await call(world.app, world.keys.rep, 'POST', `/v1/enrollments/${enrollmentId}/pause`, undefined, 202);
    expect(accepted.json().id).toBe(enrollmentId);
    await viewWhere(enrollmentId, (v) => v.status === 'paused', 'paused');
    await world.env!.sleep(3 * HOUR);
    const paused = await getEnrollment(world, enrollmentId);
    expect(paused).toMatchObject({ status: 'paused', waitingFor: ['ENROLLMENT_PAUSED'] });
    expect(paused.steps).toEqual([{ id: seq.steps[0]!.id, status: 'deferred', reasons: ['ENROLLMENT_PAUSED'] }]);
    expect(await sendCount(enrollmentId)).toBe(0);

    await call(world.app, world.keys.rep, 'POST', `/v1/enrollments/${enrollmentId}/resume`, undefined, 202);
    expect(await world.client.workflow.getHandle(enrollmentContract.id(enrollmentId)).result()).toEqual({ status: 'completed' });
    expect(await sendCount(enrollmentId)).toBe(1);
    await call(world.app, world.keys.rep, 'POST', `/v1/enrollments/${enrollmentId}/pause`, undefined, 409);
  });

  it('archiving a sequence ends its live enrollments with SEQUENCE_ARCHIVED', async () => {
    const mailboxId = await world.mailbox();
    const seq = await world.sequence({ name: 'Archive', mailboxId, sendWindow: null, steps: [{ subject: 'one', text: '1', delay: 'P1D' }] });
    const enrollmentId = await enrollOne(world, seq.id, await seedContact(world.tdb.db));
    await call(world.app, world.keys.admin, 'POST', `/v1/sequences/${seq.id}/archive`, undefined, 200);
    expect(await getEnrollment(world, enrollmentId)).toMatchObject({ status: 'ended', endedReason: 'SEQUENCE_ARCHIVED' });
    expect(await world.client.workflow.getHandle(enrollmentContract.id(enrollmentId)).result()).toEqual({ status: 'ended', endedReason: 'SEQUENCE_ARCHIVED' });
    expect(await sendCount(enrollmentId)).toBe(0);
  });

  it('a long hold continues as new with a fresh history and resumes at the same step', async () => {
    const mailboxId = await world.mailbox();
    const seq = await world.sequence({ name: 'Long hold', mailboxId, sendWindow: null, steps: [{ subject: 'one', text: '1', delay: 'PT0S' }] });
    await call(world.app, world.keys.admin, 'POST', `/v1/sequences/${seq.id}/pause`, undefined, 200);
    const contactId = await seedContact(world.tdb.db);
    const { id: enrollmentId } = await world.tdb.db.insertInto('enrollments').values({ sequence_id: seq.id, contact_id: contactId }).returning('id').executeTakeFirstOrThrow();
    // A small history limit stands in for months of safety re-checks.
    const first = await world.client.workflow.start('enrollmentWorkflow', { workflowId: enrollmentContract.id(enrollmentId), taskQueue: world.config.TEMPORAL_TASK_QUEUE, args: [{ enrollmentId, historyLimit: 40 }] });
    await viewWhere(enrollmentId, (v) => v.waitingFor.includes('SEQUENCE_PAUSED'), 'SEQUENCE_PAUSED');
    await world.env!.sleep(4 * 24 * HOUR);
    const handle = world.client.workflow.getHandle(enrollmentContract.id(enrollmentId));
    const latest = await handle.describe();
    expect(latest.runId).not.toBe(first.firstExecutionRunId);
    expect(latest.status.name).toBe('RUNNING');
    expect(await getEnrollment(world, enrollmentId)).toMatchObject({ status: 'paused', waitingFor: ['SEQUENCE_PAUSED'] });
    expect(await sendCount(enrollmentId)).toBe(0);

    await call(world.app, world.keys.admin, 'POST', `/v1/sequences/${seq.id}/resume`, undefined, 200);
    expect(await handle.result()).toEqual({ status: 'completed' });
    expect(await sendCount(enrollmentId)).toBe(1);
  });
});
