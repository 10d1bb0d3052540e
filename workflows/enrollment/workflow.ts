/**
 * One enrollment of one contact in one sequence. For each step: a durable timer until it is due
 * (previous send + the step's delay; the first step counts from enrollment), a gate check (rules and
 * send window), then the send activity, which re-checks under locks and never sends twice.
 * Holds (sequence paused, mailbox disconnected / sync off, send window, sending limits, rep pause)
 * wait durably, recording what they wait for. Signals: pause / resume / end / gatesChanged; state is
 * the enrollmentStatus query and the enrollment row. History carries ids, codes and instants only.
 */
import { condition, continueAsNew, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/types';
import type { ReasonCode } from '../../domain/reason-codes';
import { enrollmentContract, type EnrollmentInput, type EnrollmentResult, type EnrollmentStatusView } from './contract';

const { signals, queries } = enrollmentContract;

const { planEnrollmentStep, checkEnrollmentGates, recordEnrollmentState, endEnrollment, completeEnrollment } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // Unlimited attempts: a database outage delays the sequence, it does not lose it.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * The plan and the gate check as local activities: run by the worker inside the workflow task (one
 * marker event each) instead of a round trip through the server's activity queue and a workflow task
 * for each result. Both are idempotent (the plan writes the same row again; the gate check only
 * reads), so a re-run after a lost workflow task is harmless; the send stays a normal activity (it
 * heartbeats, and its claim is what makes it never go twice). Executions started before this change
 * replay with the normal activities they scheduled: the patch marker decides, at each call.
 */
const LOCAL_READS_PATCH = 'enrollment-local-plan-and-gates';
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const planStep: Activities['planEnrollmentStep'] = (input) => (patched(LOCAL_READS_PATCH) ? local.planEnrollmentStep : planEnrollmentStep)(input);
const checkGates: Activities['checkEnrollmentGates'] = (input) => (patched(LOCAL_READS_PATCH) ? local.checkEnrollmentGates : checkEnrollmentGates)(input);

/**
 * The send as a local activity too, so a step (plan, gate check, send, next plan, timer) is one
 * workflow task: no activity task through the server, and nothing that must stay cached between
 * tasks during a burst. "Never twice" does not depend on how Temporal runs it: the claim does.
 * A re-run (the worker died after the hand-off, or before its workflow task completed) finds the
 * row claimed and reports the step uncertain, or finds it sent. A dead worker is noticed when its
 * workflow task times out (10 s; the SDK keeps a long send's task alive meanwhile), as the normal
 * activity's 10 s heartbeat timeout did. Executions that scheduled normal sends replay them.
 */
const LOCAL_SEND_PATCH = 'enrollment-local-send';
const localSend = proxyLocalActivities<Activities>({
  // As the normal activity's: above the transports' own timeouts.
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const send: Activities['sendEnrollmentStep'] = (input) => (patched(LOCAL_SEND_PATCH) ? localSend.sendEnrollmentStep : sendEnrollmentStep)(input);

/**
 * A due step in one local activity (runEnrollmentStep): the gate check is made inside the send's
 * claim transaction (which re-read every rule under locks anyway) and the next step is planned in the
 * send's confirmation, so a sent step is one call instead of three (gate check, send, plan of the
 * next). Gate verdicts come back as before and are handled by the same code; "never twice" is the
 * same claim's. Executions that made separate calls replay them: the patch marker decides, per step.
 */
const ONE_CALL_PATCH = 'enrollment-step-in-one-call';

const { sendEnrollmentStep } = proxyActivities<Activities>({
  // Above the transports' own timeouts (SMTP 10 s per phase, Graph 30 s per request). A timed-out
  // attempt that still sends is safe: the retry finds the row claimed and reports it uncertain.
  startToCloseTimeout: '2 minutes',
  // The activity heartbeats while it sends: a killed worker's send is retried within seconds.
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Holds end by signal (gatesChanged, resume); this slow re-check is only a safety net. */
const FIRST_RECHECK_MS = HOUR;
const MAX_RECHECK_MS = 24 * HOUR;
/** Back-off for an unreachable mailbox (MAILBOX_UNAVAILABLE), on top of the activity's hint. */
const MAX_UNAVAILABLE_BACKOFF_MS = HOUR;
/** Keep histories small for enrollments that hold for months. */
const MAX_HISTORY_EVENTS = 10_000;

type SendOutcome = Awaited<ReturnType<Activities['sendEnrollmentStep']>>;
type GateOutcome = Awaited<ReturnType<Activities['checkEnrollmentGates']>>;
type PlannedStep = Awaited<ReturnType<Activities['planEnrollmentStep']>>;
type StepRun = Awaited<ReturnType<Activities['runEnrollmentStep']>>;
type LiveStatus = 'active' | 'waiting' | 'paused';
type StepOutcome =
  /** `next`: the step after this one, planned by the send itself (one-call steps only). */
  | { kind: 'done'; atMs: number | null; next?: PlannedStep }
  | { kind: 'continueAsNew' }
  | { kind: 'ended'; reason: ReasonCode; blockedStepId?: string; codes?: ReasonCode[] };

const PAUSE_CODES: readonly ReasonCode[] = ['SEQUENCE_PAUSED', 'ENROLLMENT_PAUSED'];
const statusFor = (waitingFor: readonly ReasonCode[]): LiveStatus => (waitingFor.some((c) => PAUSE_CODES.includes(c)) ? 'paused' : waitingFor.length > 0 ? 'waiting' : 'active');

export async function enrollmentWorkflow(input: EnrollmentInput): Promise<EnrollmentResult> {
  const { enrollmentId } = input;
  let endRequested: ReasonCode | null = null;
  let paused = input.carry?.paused ?? false;
  /** Bumped by gatesChanged and resume: whoever waits on a hold re-checks. */
  let wakeups = 0;
  const view: EnrollmentStatusView = { enrollmentId, status: 'active', waitingFor: [] };
  /** The state last written to the enrollment row, to skip writes that change nothing. */
  let recorded: string | null = null;

  setHandler(signals.end, ({ reason }) => {
    endRequested ??= reason;
  });
  setHandler(signals.pause, () => {
    paused = true;
  });
  setHandler(signals.resume, () => {
    paused = false;
    wakeups++;
  });
  setHandler(signals.gatesChanged, () => {
    wakeups++;
  });
  setHandler(queries.status, () => ({ ...view, waitingFor: [...view.waitingFor] }));

  const stateKey = (status: string, waitingFor: readonly ReasonCode[], nextSendAtMs: number | null) => JSON.stringify([status, waitingFor, nextSendAtMs]);

  async function publish(waitingFor: ReasonCode[], nextSendAtMs: number | null): Promise<void> {
    const status = statusFor(waitingFor);
    view.status = status;
    view.waitingFor = waitingFor;
    view.nextSendAt = nextSendAtMs === null ? undefined : new Date(nextSendAtMs).toISOString();
    const key = stateKey(status, waitingFor, nextSendAtMs);
    if (key === recorded) return;
    recorded = key;
    await recordEnrollmentState({ enrollmentId, status, waitingFor, nextSendAtMs });
  }

  /** Wake-ups already taken into account by a plan, gate check or claim (which all read fresh state). */
  let checkedWakeups = 0;
  const markChecked = () => {
    checkedWakeups = wakeups;
  };
  const unchecked = () => wakeups !== checkedWakeups;

  /**
   * Waits for an end, a wake-up not yet checked, a pause change (relative to `actedPaused`, the state
   * the caller acted on), or the deadline. True when something happened.
   */
  async function waitForChange(deadlineMs: number | null, actedPaused: boolean): Promise<boolean> {
    const changed = () => endRequested !== null || unchecked() || paused !== actedPaused;
    if (deadlineMs === null) {
      await condition(changed);
      return true;
    }
    const waitMs = deadlineMs - Date.now();
    return waitMs > 0 ? condition(changed, waitMs) : changed();
  }

  async function gateCheck() {
    markChecked();
    return checkGates({ enrollmentId, nowMs: Date.now() });
  }

  async function finish(outcome: Extract<StepOutcome, { kind: 'ended' }>): Promise<EnrollmentResult> {
    const { endedReason } = await endEnrollment({ enrollmentId, reason: outcome.reason, blockedStepId: outcome.blockedStepId, codes: outcome.codes });
    Object.assign(view, { status: 'ended', endedReason, waitingFor: [], nextSendAt: undefined });
    return { status: 'ended', endedReason };
  }

  /**
   * Delay phase: until the step is due. A wake-up (sequence edited, paused, mailbox changed) re-plans,
   * since the step or its delay may have changed, and previews holds so they show before the due time.
   */
  async function awaitDue(dueMs: number, preview: boolean): Promise<'due' | 'replan' | 'ended'> {
    const holds = preview ? (await gateCheck()).hold : [];
    let shownPaused: boolean | null = null;
    for (;;) {
      if (endRequested !== null) return 'ended';
      if (Date.now() >= dueMs) return 'due';
      if (unchecked()) return 'replan';
      if (paused !== shownPaused) {
        shownPaused = paused;
        await publish(paused ? ['ENROLLMENT_PAUSED', ...holds] : holds, dueMs);
        continue;
      }
      if (!(await waitForChange(dueMs, paused))) return 'due';
    }
  }

  /** Due: gate, then send; holds and deferrals wait here until they clear. `first`: the step's first run, already made with its plan. */
  async function attempt(stepId: string, dueMs: number, first?: StepRun): Promise<StepOutcome> {
    let recheckMs = FIRST_RECHECK_MS;
    let unavailable = 0;
    /** A gate verdict: the end, or a wait until it may have changed ('again'), or 'open'. */
    async function onGate(gate: GateOutcome): Promise<Extract<StepOutcome, { kind: 'ended' }> | 'again' | 'open'> {
      if (gate.endedReason !== null) return { kind: 'ended', reason: gate.endedReason };
      if (gate.end.length > 0) return { kind: 'ended', reason: gate.end[0]!, blockedStepId: stepId, codes: gate.end };
      if (gate.hold.length > 0) {
        await publish(gate.hold, dueMs);
        await waitForChange(Date.now() + recheckMs, false);
        recheckMs = Math.min(recheckMs * 2, MAX_RECHECK_MS);
        return 'again';
      }
      if (gate.windowNeverOpens || gate.windowOpensAtMs !== null) {
        // No allowed time at all (every allowed day a holiday) waits for an edit of the window.
        await publish(['OUTSIDE_SEND_WINDOW'], gate.windowOpensAtMs);
        await waitForChange(gate.windowOpensAtMs ?? Date.now() + MAX_RECHECK_MS, false);
        return 'again';
      }
      return 'open';
    }
    for (;;) {
      let ran = first;
      first = undefined;
      // A first run made with its plan was checked there (not paused, no end requested); the history's
      // length is checked before any further run.
      if (ran === undefined) {
        if (endRequested !== null) return { kind: 'ended', reason: endRequested };
        if (paused) {
          await publish(['ENROLLMENT_PAUSED'], dueMs);
          markChecked(); // gate changes do not matter while paused; resume re-checks everything
          await waitForChange(null, true);
          continue;
        }
        if (workflowInfo().historyLength > (input.historyLimit ?? MAX_HISTORY_EVENTS) || workflowInfo().continueAsNewSuggested) return { kind: 'continueAsNew' };
      }

      let sent: SendOutcome;
      let next: PlannedStep | undefined;
      if (ran !== undefined || patched(ONE_CALL_PATCH)) {
        if (ran === undefined) {
          markChecked(); // the claim reads every fact under locks, the gates' too
          ran = await localSend.runEnrollmentStep({ enrollmentId, stepId, nowMs: Date.now() });
        }
        if (ran.kind === 'gate') {
          const gated = await onGate(ran.gate);
          if (gated === 'open') throw new Error('runEnrollmentStep answered an open gate without sending'); // never: it claims when the gate is open
          if (gated === 'again') continue;
          return gated;
        }
        ({ sent, next } = ran);
      } else {
        const gated = await onGate(await gateCheck());
        if (gated === 'again') continue;
        if (gated !== 'open') return gated;
        markChecked(); // the claim re-reads every fact under locks
        sent = await send({ enrollmentId, stepId, nowMs: Date.now() });
      }
      recorded = null; // the claim wrote the row's state itself
      switch (sent.kind) {
        case 'sent':
        case 'uncertain':
          return { kind: 'done', atMs: sent.atMs, ...(next !== undefined && { next }) };
        case 'skipped':
          // A removed step sends nothing: the next delay still counts from the last real send.
          return { kind: 'done', atMs: null };
        case 'blocked':
          return { kind: 'ended', reason: sent.codes[0] ?? 'MAILBOX_SEND_FAILED', blockedStepId: stepId, codes: sent.codes };
        case 'ended':
          return { kind: 'ended', reason: sent.reason };
        case 'hold':
          await publish(sent.codes, dueMs);
          await waitForChange(Date.now() + recheckMs, false);
          continue;
        case 'deferred': {
          let retryAtMs = sent.retryAtMs;
          if (sent.code === 'MAILBOX_UNAVAILABLE') {
            retryAtMs = Math.max(retryAtMs, Date.now() + Math.min(MINUTE * 2 ** unavailable, MAX_UNAVAILABLE_BACKOFF_MS));
            unavailable++;
          }
          // Deferred, never dropped: the row is untouched and the same step is tried again.
          await publish([sent.code], retryAtMs);
          await waitForChange(retryAtMs, false);
          continue;
        }
      }
    }
  }

  let afterStepId = input.carry?.afterStepId ?? null;
  let baseMs = input.carry?.baseMs ?? workflowInfo().startTime.getTime();
  let preview = false;
  /** The next step as the last send planned it (one-call steps); undefined: plan it. */
  let planned: PlannedStep | undefined;
  for (;;) {
    if (endRequested !== null) return finish({ kind: 'ended', reason: endRequested });
    let step: PlannedStep;
    /** The step's first run, when it was due as it was planned (one-call steps). */
    let ran: StepRun | undefined;
    if (planned !== undefined && !unchecked()) {
      // Planned under the send's claim, with every wake-up before it; one since then plans afresh.
      step = planned;
    } else if (!preview && !paused && patched(ONE_CALL_PATCH)) {
      markChecked(); // the plan, the gates and the claim read fresh state
      ({ step, ran } = await localSend.planAndRunEnrollmentStep({ enrollmentId, afterStepId, baseMs, nowMs: Date.now() }));
    } else {
      markChecked();
      step = await planStep({ enrollmentId, afterStepId, baseMs });
    }
    planned = undefined;
    if (step === null) {
      const done = await completeEnrollment({ enrollmentId });
      Object.assign(view, { status: done.status, waitingFor: [], nextSendAt: undefined, ...(done.endedReason ? { endedReason: done.endedReason } : {}) });
      return done.status === 'completed' ? { status: 'completed' } : { status: 'ended', endedReason: done.endedReason ?? undefined };
    }
    const dueMs = baseMs + step.delayMs;
    view.currentStepId = step.stepId;
    Object.assign(view, { status: 'active', waitingFor: [], nextSendAt: new Date(dueMs).toISOString() });
    recorded = stateKey('active', [], dueMs); // what the planner just wrote

    if (ran === undefined) {
      const due = await awaitDue(dueMs, preview);
      preview = due === 'replan';
      if (due === 'replan') continue;
      if (due === 'ended') return finish({ kind: 'ended', reason: endRequested ?? 'UNENROLLED' });
    }

    const outcome = await attempt(step.stepId, dueMs, ran);
    if (outcome.kind === 'ended') return finish(outcome);
    if (outcome.kind === 'continueAsNew') {
      // Only reached for a long hold: start a fresh history, resuming at the same step.
      await continueAsNew<typeof enrollmentWorkflow>({ enrollmentId, carry: { afterStepId, baseMs, paused }, historyLimit: input.historyLimit });
    }
    if (outcome.kind === 'done') {
      afterStepId = step.stepId;
      if (outcome.atMs !== null) baseMs = outcome.atMs;
      planned = outcome.next;
    }
  }
}
