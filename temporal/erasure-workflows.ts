/**
 * Starting `erasure-<requestId>` workflows (API and services). Ids only: the request id, and the
 * contact id the request named as the ContactId search attribute.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ConfigError, type AppConfig } from '../domain/config';
import { parseIsoDuration } from '../domain/duration';
import { erasureContract } from '../workflows/erasure/contract';
import type { erasureWorkflow } from '../workflows/erasure/workflow';
import { temporalUnavailable, withTemporalDeadline } from './deadline';

const REQUEST_IS_RECORDED = 'the erasure request is recorded. Call the same endpoint again to start it.';

export function erasureWorkflows(temporal: Client, config: Pick<AppConfig, 'TEMPORAL_TASK_QUEUE' | 'ERASURE_ENROLLMENT_STOP_TIMEOUT'>) {
  const stop = parseIsoDuration(config.ERASURE_ENROLLMENT_STOP_TIMEOUT);
  if (!stop.ok) throw new ConfigError(`ERASURE_ENROLLMENT_STOP_TIMEOUT: ${stop.error}`);
  const enrollmentStopTimeoutMs = stop.ms;

  return {
    /** Starts the request's workflow once; a second call for the same request is a no-op (false). */
    async ensureStarted(requestId: string, namedContactId: string | null): Promise<boolean> {
      const sa = erasureContract.searchAttributes;
      try {
        await withTemporalDeadline(temporal, () =>
          temporal.workflow.start<typeof erasureWorkflow>(erasureContract.type, {
            taskQueue: config.TEMPORAL_TASK_QUEUE,
            workflowId: erasureContract.id(requestId),
            args: [{ requestId, enrollmentStopTimeoutMs }],
            typedSearchAttributes: [{ key: sa.ErasureRequestId, value: requestId }, ...(namedContactId ? [{ key: sa.ContactId, value: namedContactId }] : [])],
            workflowIdConflictPolicy: 'FAIL',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
        throw temporalUnavailable(err, REQUEST_IS_RECORDED);
      }
    },
  };
}
