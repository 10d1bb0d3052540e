import { applyStepUpdate, initialSteps, resetUnfinishedSteps } from '../../domain/promotion/steps';

const t0 = new Date('2030-01-01T00:00:00Z');
const t1 = new Date('2030-01-01T00:01:00Z');
const t2 = new Date('2030-01-01T00:02:00Z');

describe('promotion step transitions', () => {
  it('starts with every step pending, in order', () => {
    expect(initialSteps().map((s) => `${s.name}:${s.status}`)).toEqual(['preflight:pending', 'mark_customer:pending', 'notify_psa:pending', 'wait_for_confirmation:pending', 'link:pending', 'sync_contacts:pending']);
  });

  it('keeps the first start time across Temporal retries, and clears the transient code on success', () => {
    let steps = applyStepUpdate(initialSteps(), 'notify_psa', { status: 'running' }, t0);
    steps = applyStepUpdate(steps, 'notify_psa', { status: 'retrying', code: 'PSA_UNREACHABLE', detail: 'attempt 1' }, t1);
    steps = applyStepUpdate(steps, 'notify_psa', { status: 'running' }, t1);
    expect(steps.find((s) => s.name === 'notify_psa')).toEqual({ name: 'notify_psa', status: 'running', startedAt: t0.toISOString(), endedAt: null, code: 'PSA_UNREACHABLE', detail: 'attempt 1' });
    steps = applyStepUpdate(steps, 'notify_psa', { status: 'completed', code: null, detail: 'created' }, t2);
    expect(steps.find((s) => s.name === 'notify_psa')).toEqual({ name: 'notify_psa', status: 'completed', startedAt: t0.toISOString(), endedAt: t2.toISOString(), detail: 'created' });
    expect(steps.filter((s) => s.name !== 'notify_psa').every((s) => s.status === 'pending')).toBe(true);
  });

  it('on retry keeps completed steps and resets the others to pending (a failed step restarts with a new start time)', () => {
    let steps = applyStepUpdate(initialSteps(), 'preflight', { status: 'completed', detail: 'ok' }, t0);
    steps = applyStepUpdate(steps, 'wait_for_confirmation', { status: 'failed', code: 'PSA_CONFIRMATION_TIMEOUT', detail: 'late' }, t1);
    const reset = resetUnfinishedSteps(steps);
    expect(reset.find((s) => s.name === 'preflight')).toMatchObject({ status: 'completed', detail: 'ok' });
    expect(reset.find((s) => s.name === 'wait_for_confirmation')).toEqual({ name: 'wait_for_confirmation', status: 'pending', startedAt: null, endedAt: null });
    const rerun = applyStepUpdate(steps, 'wait_for_confirmation', { status: 'running', code: null }, t2);
    expect(rerun.find((s) => s.name === 'wait_for_confirmation')).toMatchObject({ status: 'running', startedAt: t2.toISOString(), endedAt: null });
  });

  it('tolerates a stored list missing steps (an older step list): every step appears once', () => {
    const steps = applyStepUpdate([{ name: 'link', status: 'completed', startedAt: null, endedAt: null }], 'preflight', { status: 'running' }, t0);
    expect(steps.map((s) => s.name)).toEqual(['preflight', 'mark_customer', 'notify_psa', 'wait_for_confirmation', 'link', 'sync_contacts']);
    expect(steps.find((s) => s.name === 'link')?.status).toBe('completed');
  });
});
