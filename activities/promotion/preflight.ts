import { Context } from '@temporalio/activity';
import { beginAttempt, getPromotion } from '../../db/promotions';
import { createStepRecorder, stepFailure, type PromotionDeps, type StepInput } from './step-context';

/** Step 1: the company can become a PSA client, and both integration keys match (asked of the PSA). */
export function preflightActivity({ db, psa }: PromotionDeps) {
  return async function promotionPreflight(input: StepInput): Promise<void> {
    const { companyId, attempt } = input;
    // The run's first activity: makes sure the row belongs to this attempt (a retry) and names the run.
    if (!(await beginAttempt(db, companyId, attempt, Context.current().info.workflowExecution?.runId))) {
      throw stepFailure('PROMOTION_INCOMPLETE', `Attempt ${attempt} was superseded by a newer attempt of this promotion.`);
    }
    const step = createStepRecorder(db, input, 'preflight');
    await step.running('Checking the company and the integration keys.');

    const company = await db.selectFrom('companies').select(['name', 'status', 'psa_client_id']).where('id', '=', companyId).executeTakeFirst();
    if (!company) throw stepFailure('COMPANY_NOT_FOUND', `Company ${companyId} no longer exists.`);
    // A link made by this very promotion (a retry after the link step) is not a conflict.
    const own = await getPromotion(db, companyId);
    if (company.psa_client_id !== null && company.psa_client_id !== own?.psa_client_id) {
      throw stepFailure('COMPANY_ALREADY_LINKED', `The company is already a customer linked to PSA client ${company.psa_client_id}; there is nothing to promote.`);
    }
    if (company.status === 'inactive') throw stepFailure('COMPANY_INACTIVE', 'The company is inactive; set its status to prospect or active, then retry the promotion.');
    if (company.name.trim() === '') throw stepFailure('PSA_REQUIREMENTS_MISSING', 'The PSA requires a client name; give the company a name, then retry the promotion.');

    const keys = await step.psa(() => psa().verifyIntegrationKeys());
    if (!keys.ok) throw stepFailure('INTEGRATION_KEY_MISMATCH', keys.message);
    await step.completed('The company can be promoted and the integration keys match.');
  };
}
