/**
 * Replay of the enrollment workflow: real runs are recorded to test/histories/enrollment-*.json
 * (when missing, or with RECORD_HISTORIES=1) and replayed against the workflow bundle built from
 * today's code, so a change that would break running enrollments fails here.
 */
import { enrollmentContract } from '../../workflows/enrollment/contract';
import { recordHistory, replayAgainstCurrentCode } from '../harness/histories';
import { createWorld, enrollOne, getEnrollment, type World } from './world';
import { seedContact } from '../harness/seed';
import { eventually } from '../harness/eventually';
import { call } from '../harness/api';

let world: World;
beforeAll(async () => {
  world = await createWorld({ name: 'replay', timeSkipping: true });
});
afterAll(() => world.close());

const pad = (n: number) => String(n).padStart(2, '0');
const until = (id: string, ok: (v: { status: string; waitingFor: string[] }) => boolean, what: string) =>
  eventually(async () => {
    const v = await getEnrollment(world, id);
    return ok(v) ? v : undefined;
  }, what);

describe('enrollment workflow replay', () => {
  it('records and replays a run through a send window, a rep pause and a sequence pause', async () => {
    // A half-hour window two hours from now (UTC), so the first step waits for it.
    const hour = (new Date(await world.env!.currentTimeMs()).getUTCHours() + 2) % 24;
    const mailboxId = await world.mailbox();
    const seq = await world.sequence({
      name: 'Replay', mailboxId, timeZone: 'UTC',
      sendWindow: { days: [1, 2, 3, 4, 5, 6, 7], start: `${pad(hour)}:00`, end: `${pad(hour)}:30` },
      steps: [{ subject: 'one', html: '<p>1</p>', delay: 'PT0S' }, { subject: 'two', text: '2', delay: 'PT1H' }],
    });
    const id = await enrollOne(world, seq.id, await seedContact(world.tdb.db));
    await until(id, (v) => v.waitingFor.includes('OUTSIDE_SEND_WINDOW'), 'the window hold');

    await call(world.app, world.keys.rep, 'POST', `/v1/enrollments/${id}/pause`, undefined, 202);
    await until(id, (v) => v.status === 'paused', 'rep pause');
    await call(world.app, world.keys.rep, 'POST', `/v1/enrollments/${id}/resume`, undefined, 202);
    await until(id, (v) => v.waitingFor.includes('OUTSIDE_SEND_WINDOW'), 'back to the window hold');
    await call(world.app, world.keys.admin, 'POST', `/v1/sequences/${seq.id}/pause`, undefined, 200);
    await until(id, (v) => v.waitingFor.includes('SEQUENCE_PAUSED'), 'sequence pause');
    await call(world.app, world.keys.admin, 'POST', `/v1/sequences/${seq.id}/resume`, undefined, 200);

    const handle = world.client.workflow.getHandle(enrollmentContract.id(id));
    expect(await handle.result()).toEqual({ status: 'completed' });
    await recordHistory('enrollment-holds', handle);
    await expect(replayAgainstCurrentCode('enrollment-holds')).resolves.toBeUndefined();
  });

  it('records and replays a run ended by a rule at send time', async () => {
    const mailboxId = await world.mailbox();
    const seq = await world.sequence({ name: 'Replay end', mailboxId, sendWindow: null, steps: [{ subject: 'one', text: '1', delay: 'PT0S' }, { subject: 'two', text: '2', delay: 'P1D' }] });
    const contactId = await seedContact(world.tdb.db);
    const id = await enrollOne(world, seq.id, contactId);
    await until(id, (v) => v.status === 'active' && v.waitingFor.length === 0, 'started');
    await eventually(async () => ((await world.tdb.db.selectFrom('email_sends').select('id').where('enrollment_id', '=', id).where('status', '=', 'sent').execute()).length === 1 ? true : undefined), 'step one sent');
    await world.tdb.db.updateTable('contacts').set({ consent: 'opted_out' }).where('id', '=', contactId).execute();
    const handle = world.client.workflow.getHandle(enrollmentContract.id(id));
    expect(await handle.result()).toEqual({ status: 'ended', endedReason: 'CONSENT_OPTED_OUT' });
    await recordHistory('enrollment-ended-by-rule', handle);
    await expect(replayAgainstCurrentCode('enrollment-ended-by-rule')).resolves.toBeUndefined();
  });
});
