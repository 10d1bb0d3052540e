/**
 * Promotion status model: step names, step and promotion states, and the pure transitions the
 * persistence layer applies. Pure: imported by workflow code, activities and the API.
 */
export const PROMOTION_STEPS = ['preflight', 'mark_customer', 'notify_psa', 'wait_for_confirmation', 'link', 'sync_contacts'] as const;
export type PromotionStepName = (typeof PROMOTION_STEPS)[number];

/** `retrying`: the step failed transiently (e.g. PSA_UNREACHABLE) and Temporal retries it with backoff. */
export const STEP_STATUSES = ['pending', 'running', 'retrying', 'completed', 'failed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const PROMOTION_STATES = ['running', 'waiting_for_psa', 'completed', 'failed'] as const;
export type PromotionState = (typeof PROMOTION_STATES)[number];

/** One step as stored (jsonb) and returned by the API; times are ISO-8601 strings or null. */
export interface StepRecord {
  name: PromotionStepName;
  status: StepStatus;
  startedAt: string | null;
  endedAt: string | null;
  code?: string;
  detail?: string;
}

export interface SkippedContact {
  contactId: string;
  code: string;
}

export interface StepUpdate {
  status: StepStatus;
  /** undefined keeps the current code; null clears it. */
  code?: string | null;
  detail?: string | null;
}

export function initialSteps(): StepRecord[] {
  return PROMOTION_STEPS.map((name) => ({ name, status: 'pending', startedAt: null, endedAt: null }));
}

/** Applies one update to one step. A step keeps its first start time across Temporal retries. */
export function applyStepUpdate(steps: readonly StepRecord[], name: PromotionStepName, update: StepUpdate, now: Date): StepRecord[] {
  const current = normalizeSteps(steps);
  return current.map((step) => {
    if (step.name !== name) return step;
    const next: StepRecord = { ...step, status: update.status };
    if (update.status === 'running' || update.status === 'retrying') {
      next.startedAt = step.status === 'pending' || step.status === 'failed' || step.startedAt === null ? now.toISOString() : step.startedAt;
      next.endedAt = null;
    } else if (update.status === 'completed' || update.status === 'failed') {
      next.startedAt = step.startedAt ?? now.toISOString();
      next.endedAt = now.toISOString();
    } else {
      next.startedAt = null;
      next.endedAt = null;
    }
    setOptional(next, 'code', update.code);
    setOptional(next, 'detail', update.detail);
    return next;
  });
}

/** A retry re-runs every step (each is idempotent); steps that never completed start over as pending. */
export function resetUnfinishedSteps(steps: readonly StepRecord[]): StepRecord[] {
  return normalizeSteps(steps).map((step) => (step.status === 'completed' ? step : { name: step.name, status: 'pending', startedAt: null, endedAt: null }));
}

/** Every known step exactly once, in order (tolerates rows written by an older step list). */
function normalizeSteps(steps: readonly StepRecord[]): StepRecord[] {
  return PROMOTION_STEPS.map((name) => steps.find((s) => s.name === name) ?? { name, status: 'pending', startedAt: null, endedAt: null });
}

function setOptional(step: StepRecord, key: 'code' | 'detail', value: string | null | undefined): void {
  if (value === undefined) return;
  if (value === null) delete step[key];
  else step[key] = value;
}
