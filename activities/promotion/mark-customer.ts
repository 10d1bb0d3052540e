import { recordActivity } from '../../db/activity-log';
import type { CompanyStatus } from '../../domain/companies/vocabulary';
import { createStepRecorder, promotionActor, stepFailure, type PromotionDeps, type StepInput } from './step-context';

/** Step 2: company status `customer`, logged once (the dedupe key survives retries). */
export function markCustomerActivity({ db }: PromotionDeps) {
  return async function promotionMarkCustomer(input: StepInput): Promise<void> {
    const { companyId } = input;
    const step = createStepRecorder(db, input, 'mark_customer');
    await step.running();
    const previous = await db.transaction().execute(async (trx): Promise<CompanyStatus | null> => {
      const company = await trx.selectFrom('companies').select('status').where('id', '=', companyId).forUpdate().executeTakeFirst();
      if (!company) throw stepFailure('COMPANY_NOT_FOUND', `Company ${companyId} no longer exists.`);
      if (company.status === 'customer') return null;
      await trx.updateTable('companies').set({ status: 'customer', updated_at: new Date() }).where('id', '=', companyId).execute();
      await recordActivity(trx, {
        companyId,
        type: 'company_status_changed',
        data: { from: company.status, to: 'customer', reason: 'promotion' },
        actor: promotionActor(companyId),
        dedupeKey: `promotion:${companyId}:marked_customer`,
      });
      return company.status;
    });
    await step.completed(previous ? `Company status changed from ${previous} to customer.` : 'The company already had status customer.');
  };
}
