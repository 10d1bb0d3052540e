/**
 * The enrollment workflow's branches with stub activities under time skipping (the samples' style of
 * workflow unit test): what it asks of its activities, and when, for a mailbox that stays unavailable,
 * a hold that repeats, and an edit of the sequence while a step waits.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Activities } from '../../activities/types';
import type { GateResult, SendStepResult } from '../../activities/sequences/types';
import { enrollmentContract } from '../../workflows/enrollment/contract';
import { createTimeSkippingEnv, startTestWorker, uniqueTaskQueue } from '../harness/temporal';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
}, 60_000);
afterAll(() => env?.teardown());

type Stubbed = Pick<Activities, 'planEnrollmentStep' | 'checkEnrollmentGates' | 'sendEnrollmentStep' | 'runEnrollmentStep' | 'planAndRunEnrollmentStep' | 'recordEnrollmentState' | 'endEnrollment' | 'completeEnrollment'>;
type Planned = { stepId: string; delayMs: number } | null;

const open: GateResult = { endedReason: null, end: [], hold: [], windowOpensAtMs: null, windowNeverOpens: false };

/** Stubs with a script for each activity; every call is recorded with the workflow's clock. */
function stubs(script: { plan: Planned[]; gates?: GateResult[]; sends: SendStepResult[] | ((nowMs: number) => SendStepResult); next?: Planned[] }) {
  const calls: { name: string; input: unknown }[] = [];
  const plans = [...script.plan];
  const gates = [...(script.gates ?? [])];
  /** What a successful one-call step plans next, in order (none: the workflow asks the planner). */
  const nexts = [...(script.next ?? [])];
  const isOpen = (g: GateResult) => g.endedReason === null && g.end.length === 0 && g.hold.length === 0 && g.windowOpensAtMs === null && !g.windowNeverOpens;
  const activities: Stubbed = {
    async planEnrollmentStep(input) {
      calls.push({ name: 'plan', input });
      return plans.length > 1 ? plans.shift()! : (plans[0] ?? null);
    },
    async checkEnrollmentGates(input) {
      calls.push({ name: 'gates', input });
      return gates.shift() ?? open;
    },
    async sendEnrollmentStep(input) {
      calls.push({ name: 'send', input });
      return typeof script.sends === 'function' ? script.sends(input.nowMs) : (script.sends.shift() ?? { kind: 'sent', atMs: input.nowMs });
    },
    // As the real one: the gate check, and only through an open gate the claim and send (recorded as both).
    async runEnrollmentStep(input) {
      const gate = await activities.checkEnrollmentGates(input);
      if (!isOpen(gate)) return { kind: 'gate', gate };
      const sent = await activities.sendEnrollmentStep(input);
      return sent.kind === 'sent' && nexts.length > 0 ? { kind: 'send', sent, next: nexts.shift()! } : { kind: 'send', sent };
    },
    // As the real one: the plan, and the step's run when it is already due.
    async planAndRunEnrollmentStep(input) {
      const step = await activities.planEnrollmentStep(input);
      if (step === null || input.baseMs + step.delayMs > input.nowMs) return { step };
      return { step, ran: await activities.runEnrollmentStep({ enrollmentId: input.enrollmentId, stepId: step.stepId, nowMs: input.nowMs }) };
    },
    async recordEnrollmentState(input) {
      calls.push({ name: 'state', input });
    },
    async endEnrollment(input) {
      calls.push({ name: 'end', input });
      return { endedReason: input.reason };
    },
    async completeEnrollment(input) {
      calls.push({ name: 'complete', input });
      return { status: 'completed', endedReason: null };
    },
  };
  return { activities, calls };
}

async function run(activities: Stubbed, during?: (handle: Awaited<ReturnType<TestWorkflowEnvironment['client']['workflow']['start']>>) => Promise<void>) {
  const taskQueue = uniqueTaskQueue('enrollment-branches');
  const worker = await startTestWorker({ connection: env.nativeConnection, taskQueue, activities });
  try {
    const enrollmentId = `stub-${taskQueue}`;
    const handle = await env.client.workflow.start(enrollmentContract.type, { taskQueue, workflowId: enrollmentContract.id(enrollmentId), args: [{ enrollmentId }] });
    await during?.(handle);
    return await handle.result();
  } finally {
    await worker.stop();
  }
}

describe('enrollment workflow branches (stub activities, time skipping)', () => {
  it('backs off an unavailable mailbox: 1, 2, then 4 minutes between attempts, then sends', async () => {
    const { activities, calls } = stubs({
      plan: [{ stepId: 's1', delayMs: 0 }, null],
      // The transport's own hint is "now": the workflow's back-off decides.
      sends: (() => {
        let n = 0;
        return (nowMs: number): SendStepResult => (n++ < 3 ? { kind: 'deferred', code: 'MAILBOX_UNAVAILABLE', retryAtMs: nowMs } : { kind: 'sent', atMs: nowMs });
      })(),
    });
    await expect(run(activities)).resolves.toEqual({ status: 'completed' });
    const sendTimes = calls.filter((c) => c.name === 'send').map((c) => (c.input as { nowMs: number }).nowMs);
    expect(sendTimes).toHaveLength(4);
    const gaps = sendTimes.slice(1).map((t, i) => t - sendTimes[i]!);
    expect(gaps.map((g) => Math.round(g / MINUTE))).toEqual([1, 2, 4]);
    // Each deferral is shown once with its code, not re-written while nothing changes.
    const states = calls.filter((c) => c.name === 'state').map((c) => (c.input as { waitingFor: string[] }).waitingFor);
    expect(states.every((w) => w.length === 1 && w[0] === 'MAILBOX_UNAVAILABLE')).toBe(true);
  });

  it('writes a repeated hold once: the hourly re-check that finds the same hold records nothing', async () => {
    const paused: GateResult = { ...open, hold: ['SEQUENCE_PAUSED'] };
    const { activities, calls } = stubs({ plan: [{ stepId: 's1', delayMs: 0 }, null], gates: [paused, paused, paused], sends: [] });
    await expect(run(activities)).resolves.toEqual({ status: 'completed' });
    const gateCalls = calls.filter((c) => c.name === 'gates');
    expect(gateCalls.length).toBe(4); // three holds (first check, re-checks after 1 h and 2 h), then clear
    const gateTimes = gateCalls.map((c) => (c.input as { nowMs: number }).nowMs);
    expect(Math.round((gateTimes[1]! - gateTimes[0]!) / HOUR)).toBe(1);
    expect(Math.round((gateTimes[2]! - gateTimes[1]!) / HOUR)).toBe(2);
    const stateWrites = calls.filter((c) => c.name === 'state').map((c) => (c.input as { waitingFor: string[] }).waitingFor.join(','));
    expect(stateWrites).toEqual(['SEQUENCE_PAUSED']);
  });

  it('re-plans when the sequence is edited while a step waits, and sends at the new due time', async () => {
    const { activities, calls } = stubs({
      // A day's delay at first; after the edit the planner says one hour.
      plan: [{ stepId: 's1', delayMs: 24 * HOUR }, { stepId: 's1', delayMs: HOUR }, null],
      sends: [],
    });
    let startMs = 0;
    await expect(
      run(activities, async (handle) => {
        startMs = (await handle.describe()).startTime.getTime();
        await handle.signal(enrollmentContract.signals.gatesChanged);
      }),
    ).resolves.toEqual({ status: 'completed' });
    const planCalls = calls.filter((c) => c.name === 'plan');
    expect(planCalls.length).toBeGreaterThanOrEqual(2);
    expect(planCalls[1]!.input).toMatchObject({ afterStepId: null }); // the same step, planned again
    const sent = calls.find((c) => c.name === 'send')!.input as { nowMs: number };
    expect(Math.round((sent.nowMs - startMs) / HOUR)).toBe(1);
  });

  it('takes the next step the send planned: no plan call between sent steps', async () => {
    const { activities, calls } = stubs({ plan: [{ stepId: 's1', delayMs: 0 }], next: [{ stepId: 's2', delayMs: HOUR }, null], sends: [] });
    await expect(run(activities)).resolves.toEqual({ status: 'completed' });
    expect(calls.filter((c) => c.name !== 'state').map((c) => c.name)).toEqual(['plan', 'gates', 'send', 'gates', 'send', 'complete']);
    const [first, second] = calls.filter((c) => c.name === 'send').map((c) => (c.input as { nowMs: number; stepId: string }));
    expect([first!.stepId, second!.stepId]).toEqual(['s1', 's2']);
    expect(Math.round((second!.nowMs - first!.nowMs) / HOUR)).toBe(1);
  });
});
