import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { WorkflowIdReusePolicy } from '@temporalio/common';
import { ConfigError, type AppConfig } from '../../domain/config';
import { PROMOTION_WORKFLOW_TYPE, companyIdSearchAttribute, parseConfirmationTimeout } from '../../domain/promotion/workflow-contract';
import { workflowIds } from '../../domain/temporal-names';
import type { promotionWorkflow } from '../../workflows/promotion';
import { ApiError } from '../errors';

/** Upper bound on a request's wait for Temporal; the row already holds the promotion, and a new call resumes it. */
const TEMPORAL_CALL_TIMEOUT_MS = 5_000;

/** Starting and inspecting `promotion-<companyId>` runs from the API (a Temporal client only). */
export function promotionStarter(temporal: Client, config: AppConfig) {
  // Parsed once at startup: a bad value stops the API with the variable's name.
  const timeout = parseConfirmationTimeout(config.PSA_CONFIRMATION_TIMEOUT);
  if (!timeout.ok) throw new ConfigError(timeout.error);
  const confirmationTimeoutMs = timeout.ms;

  const withTimeout = <T>(call: () => Promise<T>) => withTemporalTimeout(temporal, call);

  /** Starts attempt `attempt`; false when a run with this id already exists and the reuse policy refuses another. */
  async function start(companyId: string, attempt: number, reuse: WorkflowIdReusePolicy): Promise<boolean> {
    try {
      await withTimeout(() =>
        temporal.workflow.start<typeof promotionWorkflow>(PROMOTION_WORKFLOW_TYPE, {
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          workflowId: workflowIds.promotion(companyId),
          args: [{ companyId, attempt, confirmationTimeoutMs }],
          typedSearchAttributes: [{ key: companyIdSearchAttribute, value: companyId }],
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: reuse,
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw temporalUnavailable(err);
    }
  }

  return {
    /** First start, or recovery of a start that never happened: never a second run of a live or finished promotion. */
    ensureStarted: (companyId: string, attempt: number) => start(companyId, attempt, 'REJECT_DUPLICATE'),
    /** A retry: a new run of the same workflow id, allowed only after a failed, cancelled or terminated run. */
    startRetry: (companyId: string, attempt: number) => start(companyId, attempt, 'ALLOW_DUPLICATE_FAILED_ONLY'),
    async isRunning(companyId: string): Promise<boolean> {
      try {
        const description = await withTimeout(() => temporal.workflow.getHandle(workflowIds.promotion(companyId)).describe());
        return description.status.name === 'RUNNING';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw temporalUnavailable(err);
      }
    },
  };
}

/** Bounds one Temporal call (gRPC retries included), so a Temporal outage is a prompt 503, not a hung request. */
export function withTemporalTimeout<T>(temporal: Client, call: () => Promise<T>): Promise<T> {
  return temporal.withDeadline(Date.now() + TEMPORAL_CALL_TIMEOUT_MS, call);
}

export function temporalUnavailable(err: unknown): ApiError {
  const reason = err instanceof Error ? err.message : String(err);
  return new ApiError(503, 'TEMPORAL_UNAVAILABLE', `Temporal could not be reached (${reason}); the promotion is recorded. Call the same endpoint again to resume.`);
}
