import type { Updateable } from 'kysely';
import { promotionContract } from '../workflows/promotion/contract';
import { applyStepUpdate, initialSteps, resetUnfinishedSteps, type PromotionState, type PromotionStepName, type SkippedContact, type StepRecord, type StepUpdate } from '../domain/promotion/steps';
import type { Db } from './database';
import type { PromotionRow, PromotionsTable } from './schema';

/**
 * Promotion progress in PostgreSQL. Every write names the attempt it belongs to: a write of an
 * older attempt is ignored, so a late retry can never overwrite a newer run's status.
 */

/** The status as the API returns it. */
export interface PromotionView {
  companyId: string;
  workflowId: string;
  attempt: number;
  status: PromotionState;
  psaClientId?: string;
  failedStep?: PromotionStepName;
  code?: string;
  message?: string;
  steps: StepRecord[];
  contacts: { synced: number; skipped: SkippedContact[] };
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export function toPromotionView(row: PromotionRow): PromotionView {
  return {
    companyId: row.company_id,
    workflowId: row.workflow_id,
    attempt: row.attempt,
    status: row.status,
    ...(row.psa_client_id !== null && { psaClientId: row.psa_client_id }),
    ...(row.failed_step !== null && { failedStep: row.failed_step }),
    ...(row.code !== null && { code: row.code }),
    ...(row.message !== null && { message: row.message }),
    steps: row.steps,
    contacts: { synced: row.contacts_synced, skipped: row.contacts_skipped },
    startedAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

export async function getPromotion(db: Db, companyId: string): Promise<PromotionRow | undefined> {
  return db.selectFrom('promotions').selectAll().where('company_id', '=', companyId).executeTakeFirst();
}

/** The company's one promotion: created now (attempt 1, running) or the existing one. */
export async function createPromotion(db: Db, companyId: string): Promise<{ row: PromotionRow; created: boolean }> {
  const inserted = await db
    .insertInto('promotions')
    .values({ company_id: companyId, status: 'running', steps: JSON.stringify(initialSteps()), contacts_skipped: '[]', workflow_id: promotionContract.id(companyId), attempt: 1 })
    .onConflict((oc) => oc.column('company_id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const existing = await getPromotion(db, companyId);
  if (!existing) throw new Error(`promotion of company ${companyId} vanished during creation`);
  return { row: existing, created: false };
}

/** Undoes createPromotion when the workflow could not be started (nothing ran yet). */
export async function deleteUnstartedPromotion(db: Db, companyId: string): Promise<void> {
  await db.deleteFrom('promotions').where('company_id', '=', companyId).where('attempt', '=', 1).where('run_id', 'is', null).execute();
}

/**
 * Moves the row to `attempt` (a retry): running again, failure cleared, unfinished steps pending.
 * Idempotent; called by the API right after starting the run and by the run's first activity.
 * Returns false when the row already belongs to a newer attempt.
 */
export async function beginAttempt(db: Db, companyId: string, attempt: number, runId?: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('promotions').selectAll().where('company_id', '=', companyId).forUpdate().executeTakeFirst();
    if (!row) throw new Error(`company ${companyId} has no promotion row`);
    if (row.attempt > attempt) return false;
    const patch: Updateable<PromotionsTable> = {};
    if (row.attempt < attempt) {
      Object.assign(patch, { attempt, status: 'running', failed_step: null, code: null, message: null, finished_at: null, run_id: null, steps: JSON.stringify(resetUnfinishedSteps(row.steps)) });
    }
    if (runId !== undefined && row.run_id !== runId) patch.run_id = runId;
    if (Object.keys(patch).length > 0) await trx.updateTable('promotions').set({ ...patch, updated_at: new Date() }).where('company_id', '=', companyId).execute();
    return true;
  });
}

/** Row-level fields a step update may set alongside the step. */
export type PromotionPatch = Pick<Updateable<PromotionsTable>, 'status' | 'failed_step' | 'code' | 'message' | 'psa_client_id' | 'contacts_synced' | 'contacts_skipped' | 'finished_at'>;

/** Updates one step (and optionally the row) of the given attempt; false if the attempt is stale. */
export async function updateStep(db: Db, companyId: string, attempt: number, step: PromotionStepName, update: StepUpdate, patch: PromotionPatch = {}): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('promotions').select(['attempt', 'steps']).where('company_id', '=', companyId).forUpdate().executeTakeFirst();
    if (!row || row.attempt !== attempt) return false;
    const steps = applyStepUpdate(row.steps, step, update, new Date());
    await trx
      .updateTable('promotions')
      .set({ ...patch, steps: JSON.stringify(steps), updated_at: new Date() })
      .where('company_id', '=', companyId)
      .execute();
    return true;
  });
}
