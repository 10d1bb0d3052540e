import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { updateStep, type PromotionPatch } from '../../db/promotions';
import type { PromotionStepName, StepUpdate } from '../../domain/promotion/steps';
import type { ReasonCode } from '../../domain/reason-codes';
import { promotionContract } from '../../workflows/promotion/contract';
import type { PsaClient } from '../../integrations/psa/client';
import { heartbeatWhile } from '../heartbeat';
import { PsaAuthError, PsaRequestError, PsaUnreachableError } from '../../integrations/psa/errors';

/** What promotion activities use; the PSA client is resolved on first use (see psa-from-config). */
export interface PromotionDeps {
  db: Db;
  psa: () => PsaClient;
}

/** Every promotion activity works on one step of one attempt of one company's promotion. */
export interface StepInput {
  companyId: string;
  attempt: number;
}

export const promotionActor = (companyId: string) => `workflow:${promotionContract.id(companyId)}`;

/** A failure the workflow reports as is: its type is the reason code. */
export function stepFailure(code: ReasonCode, message: string, retryable = false): ApplicationFailure {
  return retryable ? ApplicationFailure.retryable(message, code) : ApplicationFailure.nonRetryable(message, code);
}

export function createStepRecorder(db: Db, input: StepInput, step: PromotionStepName) {
  const { companyId, attempt } = input;
  const record = (update: StepUpdate, patch?: PromotionPatch) => updateStep(db, companyId, attempt, step, update, patch);
  return {
    record,
    /** Starts (or restarts, on a Temporal retry) the step; a promotion-level transient code is kept until it succeeds. */
    running: (detail?: string) => record({ status: 'running', ...(detail !== undefined && { detail }) }),
    /** Done: the step's and the promotion's transient codes (PSA_UNREACHABLE) are cleared. */
    completed: (detail: string, patch: PromotionPatch = {}) => record({ status: 'completed', code: null, detail }, { code: null, message: null, ...patch }),

    /**
     * Runs one PSA call. PSA down: the step shows `retrying` with PSA_UNREACHABLE and the attempt
     * number, and the failure is rethrown retryable so Temporal backs off and tries again.
     * A rejected key or request is not retryable: someone has to fix it.
     */
    async psa<T>(call: () => Promise<T>): Promise<T> {
      try {
        return await heartbeatWhile(call);
      } catch (err) {
        if (err instanceof PsaUnreachableError) {
          const tries = Context.current().info.attempt;
          const message = `The PSA API is unreachable (attempt ${tries}: ${err.message}); retrying with backoff.`;
          await record({ status: 'retrying', code: 'PSA_UNREACHABLE', detail: message }, { code: 'PSA_UNREACHABLE', message });
          await recordActivity(db, { companyId, type: 'promotion_psa_unreachable', reasonCode: 'PSA_UNREACHABLE', data: { step, attempt }, actor: promotionActor(companyId), dedupeKey: `promotion:${companyId}:${attempt}:${step}:psa_unreachable` });
          throw stepFailure('PSA_UNREACHABLE', err.message, true);
        }
        if (err instanceof PsaAuthError) throw stepFailure('INTEGRATION_KEY_MISMATCH', err.message);
        if (err instanceof PsaRequestError) throw stepFailure('PSA_REQUEST_REJECTED', err.message);
        throw err;
      }
    },
  };
}
