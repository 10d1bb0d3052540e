import { PROMOTION_STATES, PROMOTION_STEPS, type PromotionStepName, type StepRecord } from '../../domain/promotion/steps';
import type { StateMetric } from './state-metrics';

/** Company-to-client promotions by state, and the live ones by the step they are in and how long it has not moved. */

const LIVE = ['running', 'waiting_for_psa'] as const;

export const promotionsByState: StateMetric<'state'> = {
  name: 'crm_promotions',
  help: 'Company-to-client promotions by state (running, waiting_for_psa, completed, failed).',
  labelNames: ['state'],
  async read(db) {
    const rows = await db.selectFrom('promotions').select(['status']).select((eb) => eb.fn.countAll<string>().as('n')).groupBy('status').execute();
    return PROMOTION_STATES.map((state) => ({ labels: { state }, value: Number(rows.find((r) => r.status === state)?.n ?? 0) }));
  },
};

/** The step a live promotion is in: the one running (or retrying), else the first not completed. */
export function currentStep(steps: readonly StepRecord[]): PromotionStepName {
  const active = steps.find((s) => s.status === 'running' || s.status === 'retrying') ?? steps.find((s) => s.status !== 'completed');
  return active?.name ?? PROMOTION_STEPS[PROMOTION_STEPS.length - 1]!;
}

async function liveByStep(db: Parameters<StateMetric['read']>[0], nowMs: number): Promise<Map<PromotionStepName, { count: number; stalledSeconds: number }>> {
  const rows = await db.selectFrom('promotions').select(['steps', 'updated_at']).where('status', 'in', LIVE).execute();
  const byStep = new Map<PromotionStepName, { count: number; stalledSeconds: number }>(PROMOTION_STEPS.map((s) => [s, { count: 0, stalledSeconds: 0 }]));
  for (const row of rows) {
    const entry = byStep.get(currentStep(row.steps))!;
    entry.count++;
    entry.stalledSeconds = Math.max(entry.stalledSeconds, Math.max(0, (nowMs - row.updated_at.getTime()) / 1000));
  }
  return byStep;
}

export const livePromotionsByStep: StateMetric<'step'> = {
  name: 'crm_promotions_in_step',
  help: 'Promotions in progress (running or waiting for the PSA), by the step they are in.',
  labelNames: ['step'],
  async read(db, nowMs) {
    return [...(await liveByStep(db, nowMs))].map(([step, e]) => ({ labels: { step }, value: e.count }));
  },
};

export const stalledPromotions: StateMetric<'step'> = {
  name: 'crm_promotion_stalled_seconds',
  help: 'Longest time a promotion in progress has gone without any change, by its current step (0: none in that step).',
  labelNames: ['step'],
  async read(db, nowMs) {
    return [...(await liveByStep(db, nowMs))].map(([step, e]) => ({ labels: { step }, value: Math.round(e.stalledSeconds) }));
  },
};
