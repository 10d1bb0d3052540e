/**
 * Company-to-client promotion (admins start and retry; reps, admins and operators read). The row in
 * `promotions` is the truth the API answers from; the workflow `promotion-<companyId>` does the work.
 */
import type { Client } from '@temporalio/client';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { beginAttempt, createPromotion, getPromotion, toPromotionView, type PromotionView } from '../../db/promotions';
import type { AppConfig } from '../../domain/config';
import { promotionWorkflows } from '../../temporal/promotion-workflows';
import { actorLabel, type Actor } from '../actor';
import { assertCompanyNotMerged, requireCompanyExists } from '../companies/companies';
import { conflict, ServiceError } from '../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function promotionService(deps: { db: Db; temporal: Client; config: AppConfig }) {
  const { db } = deps;
  // Parsed once at startup (PSA_CONFIRMATION_TIMEOUT): a bad value stops the API with the variable's name.
  const workflows = promotionWorkflows(deps.temporal, deps.config);

  const view = async (companyId: string): Promise<PromotionView> => {
    const row = await getPromotion(db, companyId);
    if (!row) throw new Error(`promotion of company ${companyId} disappeared`);
    return toPromotionView(row);
  };

  async function noPromotion(companyId: string): Promise<ServiceError> {
    await requireCompanyExists(db, companyId);
    return new ServiceError('not_found', 'PROMOTION_NOT_FOUND', `Company ${companyId} has not been promoted; POST /v1/companies/${companyId}/promote starts its promotion.`);
  }

  return {
    /** Starts the company's promotion, or returns the existing one (running or finished); never a second run. */
    async promote(companyId: string, actor: Actor): Promise<{ view: PromotionView; created: boolean }> {
      await requireCompanyExists(db, companyId);
      await assertCompanyNotMerged(db, companyId);
      const { row, created } = await createPromotion(db, companyId);
      if (created) await recordActivity(db, { companyId, type: 'promotion_requested', data: { workflowId: row.workflow_id }, actor: actorLabel(actor) });
      // Also for an existing unfinished row: a start lost to a Temporal outage happens now, a live run is left alone.
      if (row.status === 'running' || row.status === 'waiting_for_psa') await workflows.ensureStarted(companyId, row.attempt);
      return { view: await view(companyId), created };
    },

    /** Resumes a failed promotion (a new run; steps already done are not repeated in effect). */
    async retry(companyId: string, actor: Actor): Promise<PromotionView> {
      const row = await getPromotion(db, companyId);
      if (!row) throw await noPromotion(companyId);
      if (row.status === 'completed') throw conflict('PROMOTION_COMPLETED', 'The promotion already completed; there is nothing to retry.');
      // A row still "running" whose run is gone (terminated by an operator) may be retried too.
      const inProgress = () => conflict('PROMOTION_IN_PROGRESS', `The promotion is still ${row.status === 'waiting_for_psa' ? 'waiting for the PSA' : 'running'}; retry only a failed promotion.`);
      if (row.status !== 'failed' && (await workflows.isRunning(companyId))) throw inProgress();
      const attempt = row.attempt + 1;
      if (!(await workflows.startRetry(companyId, attempt))) throw inProgress();
      await beginAttempt(db, companyId, attempt);
      await recordActivity(db, { companyId, type: 'promotion_retry_requested', data: { attempt, previousCode: row.code, previousFailedStep: row.failed_step }, actor: actorLabel(actor) });
      return view(companyId);
    },

    async get(companyId: string): Promise<PromotionView> {
      const row = await getPromotion(db, companyId);
      if (!row) throw await noPromotion(companyId);
      return toPromotionView(row);
    },

    /**
     * The PSA's `client.created` webhook, delivered to the workflow as its signal. `signalled` is false
     * when the run already ended (e.g. PSA_CONFIRMATION_TIMEOUT): a retry will find the client active.
     */
    async confirmClientCreated(crmCompanyId: string, psaClientId: string): Promise<{ signalled: boolean }> {
      const promotion = UUID.test(crmCompanyId) ? await getPromotion(db, crmCompanyId) : undefined;
      if (!promotion) throw new ServiceError('not_found', 'PROMOTION_NOT_FOUND', `No promotion of CRM company ${crmCompanyId} is known; nothing to confirm.`);
      const signalled = await workflows.signalPsaClientCreated(promotion.workflow_id, psaClientId);
      await recordActivity(db, {
        companyId: crmCompanyId,
        type: 'psa_webhook_received',
        data: { event: 'client.created', psaClientId, signalled, promotionStatus: promotion.status },
        actor: 'webhook:psa',
      });
      return { signalled };
    },
  };
}
