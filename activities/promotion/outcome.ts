import { recordActivity } from '../../db/activity-log';
import { updateStep } from '../../db/promotions';
import type { ReasonCode } from '../../domain/reason-codes';
import type { PromotionStepName } from '../../domain/promotion/steps';
import { promotionActor, type PromotionDeps, type StepInput } from './step-context';

export interface FailInput extends StepInput {
  step: PromotionStepName;
  code: ReasonCode;
  detail: string;
}

/** The end of a run: `completed`, or `failed` with the step, the code and why, in the status and the activity log. */
export function outcomeActivities({ db }: PromotionDeps) {
  return {
    async promotionComplete(input: StepInput & { psaClientId: string }): Promise<void> {
      const { companyId, attempt, psaClientId } = input;
      const done = await db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('promotions').select('attempt').where('company_id', '=', companyId).forUpdate().executeTakeFirst();
        if (row?.attempt !== attempt) return false;
        await trx
          .updateTable('promotions')
          .set({ status: 'completed', failed_step: null, code: null, message: null, psa_client_id: psaClientId, finished_at: new Date(), updated_at: new Date() })
          .where('company_id', '=', companyId)
          .execute();
        return true;
      });
      if (done) await recordActivity(db, { companyId, type: 'promotion_completed', data: { psaClientId, attempt }, actor: promotionActor(companyId), dedupeKey: `promotion:${companyId}:completed` });
    },

    async promotionFail(input: FailInput): Promise<void> {
      const { companyId, attempt, step, code, detail } = input;
      const now = new Date();
      const current = await updateStep(db, companyId, attempt, step, { status: 'failed', code, detail }, { status: 'failed', failed_step: step, code, message: detail, finished_at: now });
      if (current) {
        await recordActivity(db, { companyId, type: 'promotion_failed', reasonCode: code, data: { step, attempt, detail }, actor: promotionActor(companyId), dedupeKey: `promotion:${companyId}:${attempt}:failed` });
      }
    },
  };
}
