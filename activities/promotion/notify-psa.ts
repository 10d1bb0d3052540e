import { recordActivity } from '../../db/activity-log';
import { createStepRecorder, promotionActor, stepFailure, type PromotionDeps, type StepInput } from './step-context';

export interface NotifyPsaResult {
  psaClientId: string;
  /** The PSA already confirmed the client (e.g. a retry after a missed webhook): no need to wait. */
  active: boolean;
}

/** Step 3: ask the PSA to create the client. Idempotent: the PSA keys clients by our company id. */
export function notifyPsaActivity({ db, psa }: PromotionDeps) {
  return async function promotionNotifyPsa(input: StepInput): Promise<NotifyPsaResult> {
    const { companyId } = input;
    const step = createStepRecorder(db, input, 'notify_psa');
    await step.running('Asking the PSA to create the client.');
    const company = await db.selectFrom('companies').select(['name', 'domains']).where('id', '=', companyId).executeTakeFirst();
    if (!company) throw stepFailure('COMPANY_NOT_FOUND', `Company ${companyId} no longer exists.`);

    const { client, created } = await step.psa(() => psa().createClient({ crmCompanyId: companyId, name: company.name, domains: company.domains }));
    await recordActivity(db, {
      companyId,
      type: 'psa_client_requested',
      data: { psaClientId: client.id, created },
      actor: promotionActor(companyId),
      dedupeKey: `promotion:${companyId}:psa_client_requested:${client.id}`,
    });
    await step.completed(`PSA client ${client.id} ${created ? 'created' : 'already existed'} (PSA status ${client.status}).`, { psa_client_id: client.id });
    return { psaClientId: client.id, active: client.status === 'active' };
  };
}
