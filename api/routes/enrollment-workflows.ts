/**
 * How the API starts and signals enrollment workflows. Ids only: nothing personal goes to Temporal.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, WorkflowIdReusePolicy } from '@temporalio/common';
import { ENROLLMENT_WORKFLOW_TYPE, workflowIds } from '../../domain/temporal-names';
import type { enrollmentWorkflow } from '../../workflows/enrollment';
import { endEnrollmentSignal, gatesChangedSignal, pauseEnrollmentSignal, resumeEnrollmentSignal, type EnrollmentEndReason } from '../../workflows/enrollment-messages';

export const searchAttributeKeys = {
  ContactId: defineSearchAttributeKey('ContactId', SearchAttributeType.KEYWORD),
  SequenceId: defineSearchAttributeKey('SequenceId', SearchAttributeType.KEYWORD),
  EnrollmentId: defineSearchAttributeKey('EnrollmentId', SearchAttributeType.KEYWORD),
};

/** Workflow starts and signals in flight at once: enough to keep Temporal busy, not enough to flood it. */
export const TEMPORAL_CONCURRENCY = 64;

export interface EnrollmentRef {
  enrollmentId: string;
  contactId: string;
  sequenceId: string;
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return results;
}

/**
 * Starts one workflow per enrollment. The id is `enrollment-<id>` with REJECT_DUPLICATE, so a retried
 * request can never run a second workflow for the same enrollment: "already started" counts as started.
 */
export async function startEnrollmentWorkflows(
  temporal: Client,
  taskQueue: string,
  refs: readonly EnrollmentRef[],
  onError: (err: unknown, ref: EnrollmentRef) => void = () => undefined,
): Promise<Map<string, boolean>> {
  const outcomes = await mapLimit(refs, TEMPORAL_CONCURRENCY, async (ref) => {
    try {
      await temporal.workflow.start<typeof enrollmentWorkflow>(ENROLLMENT_WORKFLOW_TYPE, {
        workflowId: workflowIds.enrollment(ref.enrollmentId),
        taskQueue,
        args: [{ enrollmentId: ref.enrollmentId }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: searchAttributeKeys.ContactId, value: ref.contactId },
          { key: searchAttributeKeys.SequenceId, value: ref.sequenceId },
          { key: searchAttributeKeys.EnrollmentId, value: ref.enrollmentId },
        ],
      });
      return true;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return true;
      onError(err, ref);
      return false;
    }
  });
  return new Map(refs.map((ref, i) => [ref.enrollmentId, outcomes[i] ?? false]));
}

type EnrollmentSignal =
  | { kind: 'gatesChanged' }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'end'; reason: EnrollmentEndReason };

/** Signals each enrollment's workflow; one that already finished is not an error. */
export async function signalEnrollments(temporal: Client, enrollmentIds: readonly string[], signal: EnrollmentSignal): Promise<void> {
  await mapLimit(enrollmentIds, TEMPORAL_CONCURRENCY, async (id) => {
    const handle = temporal.workflow.getHandle(workflowIds.enrollment(id));
    try {
      switch (signal.kind) {
        case 'gatesChanged':
          return await handle.signal(gatesChangedSignal);
        case 'pause':
          return await handle.signal(pauseEnrollmentSignal);
        case 'resume':
          return await handle.signal(resumeEnrollmentSignal);
        case 'end':
          return await handle.signal(endEnrollmentSignal, { reason: signal.reason });
      }
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return;
      throw err;
    }
  });
}
