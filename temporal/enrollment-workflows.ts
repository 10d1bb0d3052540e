/**
 * Starting and signalling `enrollment-<id>` workflows (API and services). Ids only: nothing personal
 * goes to Temporal. Signals are the contract's definitions, never names.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { enrollmentContract, type EnrollmentEndReason } from '../workflows/enrollment/contract';
import type { enrollmentWorkflow } from '../workflows/enrollment/workflow';
import type { TemporalLogger } from './logger';
import { mapLimit, TEMPORAL_CONCURRENCY } from './map-limit';

export interface EnrollmentRef {
  enrollmentId: string;
  contactId: string;
  sequenceId: string;
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
  const sa = enrollmentContract.searchAttributes;
  const outcomes = await mapLimit(refs, TEMPORAL_CONCURRENCY, async (ref) => {
    try {
      await temporal.workflow.start<typeof enrollmentWorkflow>(enrollmentContract.type, {
        workflowId: enrollmentContract.id(ref.enrollmentId),
        taskQueue,
        args: [{ enrollmentId: ref.enrollmentId }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: sa.ContactId, value: ref.contactId },
          { key: sa.SequenceId, value: ref.sequenceId },
          { key: sa.EnrollmentId, value: ref.enrollmentId },
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

export type EnrollmentSignal = { kind: 'gatesChanged' } | { kind: 'pause' } | { kind: 'resume' } | { kind: 'end'; reason: EnrollmentEndReason };

/** Signals each enrollment's workflow; one that already finished is not an error. */
export async function signalEnrollments(temporal: Client, enrollmentIds: readonly string[], signal: EnrollmentSignal): Promise<void> {
  const { signals } = enrollmentContract;
  await mapLimit(enrollmentIds, TEMPORAL_CONCURRENCY, async (id) => {
    const handle = temporal.workflow.getHandle(enrollmentContract.id(id));
    try {
      switch (signal.kind) {
        case 'gatesChanged':
          return await handle.signal(signals.gatesChanged);
        case 'pause':
          return await handle.signal(signals.pause);
        case 'resume':
          return await handle.signal(signals.resume);
        case 'end':
          return await handle.signal(signals.end, { reason: signal.reason });
      }
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return;
      throw err;
    }
  });
}

/** Upper bound on how long a request waits for the end signals; the database already holds the truth. */
const END_SIGNAL_TIMEOUT_MS = 5_000;

/**
 * Tells each enrollment workflow to stop, after the database transaction committed. The database
 * decides: a send re-checks enrollment liveness under the contact lock, so a lost signal can delay
 * the workflow's exit but never cause an email. So a Temporal failure here is logged, not returned:
 * failing the request would hide the enrollments it already ended.
 */
export async function signalEnrollmentsEnded(temporal: Client, enrollmentIds: readonly string[], reason: EnrollmentEndReason, log: TemporalLogger): Promise<void> {
  if (enrollmentIds.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), END_SIGNAL_TIMEOUT_MS);
  });
  const signals = signalEnrollments(temporal, enrollmentIds, { kind: 'end', reason }).then(
    () => 'done' as const,
    (err: unknown) => {
      log.warn({ err, enrollmentIds, reason }, 'could not signal enrollment workflows; the database already ended the enrollments');
      return 'failed' as const;
    },
  );
  const outcome = await Promise.race([signals, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') log.warn({ enrollmentIds, reason }, 'enrollment end signals still pending; the database already ended the enrollments');
}
