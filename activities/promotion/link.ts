import { recordActivity } from '../../db/activity-log';
import { createStepRecorder, promotionActor, stepFailure, type PromotionDeps, type StepInput } from './step-context';

export type ConfirmedBy = 'webhook' | 'polling' | 'psa';

export interface LinkInput extends StepInput {
  psaClientId: string;
  confirmedBy: ConfirmedBy;
}

const confirmation: Record<ConfirmedBy, string> = {
  webhook: "by the PSA's client.created webhook",
  polling: 'by polling the PSA (no webhook arrived)',
  psa: 'already active when the CRM asked for it',
};

/** Step 5: the PSA confirmed; store its client id on the company (the PSA already holds our id). */
export function linkActivity({ db }: PromotionDeps) {
  return async function promotionLink(input: LinkInput): Promise<void> {
    const { companyId, attempt, psaClientId } = input;
    await createStepRecorder(db, input, 'wait_for_confirmation').record({ status: 'completed', code: null, detail: `PSA client ${psaClientId} confirmed ${confirmation[input.confirmedBy]}.` }, { status: 'running' });
    const step = createStepRecorder(db, input, 'link');
    await step.running();
    await recordActivity(db, { companyId, type: 'psa_client_confirmed', data: { psaClientId, via: input.confirmedBy }, actor: promotionActor(companyId), dedupeKey: `promotion:${companyId}:psa_client_confirmed:${psaClientId}` });

    await db.transaction().execute(async (trx) => {
      const company = await trx.selectFrom('companies').select('psa_client_id').where('id', '=', companyId).forUpdate().executeTakeFirst();
      if (!company) throw stepFailure('COMPANY_NOT_FOUND', `Company ${companyId} no longer exists.`);
      if (company.psa_client_id === psaClientId) return;
      if (company.psa_client_id !== null) throw stepFailure('COMPANY_ALREADY_LINKED', `The company was linked to PSA client ${company.psa_client_id} meanwhile; not relinking it to ${psaClientId}.`);
      const other = await trx.selectFrom('companies').select('id').where('psa_client_id', '=', psaClientId).executeTakeFirst();
      if (other) throw stepFailure('PSA_CLIENT_LINKED_ELSEWHERE', `PSA client ${psaClientId} is already linked to company ${other.id}.`);
      await trx.updateTable('companies').set({ psa_client_id: psaClientId, updated_at: new Date() }).where('id', '=', companyId).execute();
      await recordActivity(trx, { companyId, type: 'company_linked_to_psa', data: { psaClientId, attempt }, actor: promotionActor(companyId), dedupeKey: `promotion:${companyId}:linked:${psaClientId}` });
    });
    await step.completed(`The company is linked to PSA client ${psaClientId}.`);
  };
}
