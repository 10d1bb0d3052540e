/**
 * Starting, inspecting and signalling `promotion-<companyId>` workflows (API and services). Ids only.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { WorkflowIdReusePolicy } from '@temporalio/common';
import { ConfigError, type AppConfig } from '../domain/config';
import { parseConfirmationTimeout } from '../domain/promotion/confirmation-timeout';
import { promotionContract } from '../workflows/promotion/contract';
import type { promotionWorkflow } from '../workflows/promotion/workflow';
import { temporalUnavailable, withTemporalDeadline } from './deadline';

const PROMOTION_IS_RECORDED = 'the promotion is recorded. Call the same endpoint again to resume.';

export type PromotionWorkflows = ReturnType<typeof promotionWorkflows>;

export function promotionWorkflows(temporal: Client, config: AppConfig) {
  // Parsed once at startup: a bad value stops the API with the variable's name.
  const timeout = parseConfirmationTimeout(config.PSA_CONFIRMATION_TIMEOUT);
  if (!timeout.ok) throw new ConfigError(timeout.error);
  const confirmationTimeoutMs = timeout.ms;

  /** Starts attempt `attempt`; false when a run with this id already exists and the reuse policy refuses another. */
  async function start(companyId: string, attempt: number, reuse: WorkflowIdReusePolicy): Promise<boolean> {
    try {
      await withTemporalDeadline(temporal, () =>
        temporal.workflow.start<typeof promotionWorkflow>(promotionContract.type, {
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          workflowId: promotionContract.id(companyId),
          args: [{ companyId, attempt, confirmationTimeoutMs }],
          typedSearchAttributes: [{ key: promotionContract.searchAttributes.CompanyId, value: companyId }],
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: reuse,
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw temporalUnavailable(err, PROMOTION_IS_RECORDED);
    }
  }

  return {
    /** First start, or recovery of a start that never happened: never a second run of a live or finished promotion. */
    ensureStarted: (companyId: string, attempt: number) => start(companyId, attempt, 'REJECT_DUPLICATE'),
    /** A retry: a new run of the same workflow id, allowed only after a failed, cancelled or terminated run. */
    startRetry: (companyId: string, attempt: number) => start(companyId, attempt, 'ALLOW_DUPLICATE_FAILED_ONLY'),
    async isRunning(companyId: string): Promise<boolean> {
      try {
        const description = await withTemporalDeadline(temporal, () => temporal.workflow.getHandle(promotionContract.id(companyId)).describe());
        return description.status.name === 'RUNNING';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw temporalUnavailable(err, PROMOTION_IS_RECORDED);
      }
    },
    /** Delivers the PSA's confirmation; false when the run already ended (a retry will find the client active). */
    async signalPsaClientCreated(workflowId: string, psaClientId: string): Promise<boolean> {
      try {
        await withTemporalDeadline(temporal, () => temporal.workflow.getHandle(workflowId).signal(promotionContract.signals.psaClientCreated, { psaClientId }));
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw temporalUnavailable(err, 'the webhook was not delivered; the PSA may send it again.');
      }
    },
  };
}
