/**
 * Workflow `erasure-<requestId>`: GDPR erasure of one subject, in eight persisted steps:
 * locate → stop_sequences → check_books → erase_crm → suppress → propagate → verify → receipt.
 * Activities persist each step's status and code (the API answers without a worker) and are
 * idempotent, so a replayed or retried step never does its work twice. This code only orders them,
 * waits (durable timers) for ended enrollments to close, and names failures. Ids only in payloads.
 */
import { ActivityFailure, ApplicationFailure, CancellationScope, TimeoutFailure, isCancellation, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities/types';
import type { ErasureStepName } from '../../domain/erasure/vocabulary';
import { isReasonCode } from '../../domain/reason-codes';
import { erasureContract, PROPAGATE_SYSTEMS, type ErasureInput, type ErasureResult } from './contract';

/** Database steps: short, retried until the database answers. */
const local = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' } });
/**
 * Calls to Books, the PSA and Salesforce: an unreachable system is retried with backoff (up to 5
 * minutes apart) for as long as it takes, the request showing `waiting` with the system's code; the
 * heartbeat lets a killed worker's call be retried within seconds.
 */
const external = proxyActivities<Activities>({ startToCloseTimeout: '2m', heartbeatTimeout: '10s', retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m' } });
/** Searching every table and history takes a while; retried a few times (a hit is not retryable). */
const checks = proxyActivities<Activities>({ startToCloseTimeout: '10m', heartbeatTimeout: '30s', retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 } });

export async function erasureWorkflow(input: ErasureInput): Promise<ErasureResult> {
  const ids = { requestId: input.requestId };
  let step: ErasureStepName = 'locate';
  setHandler(erasureContract.queries.progress, () => ({ step }));
  try {
    const located = await local.erasureLocate(ids);

    step = 'stop_sequences';
    const stopped = await local.erasureStopSequences(ids);
    const deadline = Date.now() + input.enrollmentStopTimeoutMs;
    let open = await local.erasureOpenEnrollmentWorkflows({ ...ids, enrollmentIds: stopped.enrollmentIds });
    while (open.length > 0 && Date.now() < deadline) {
      await sleep(Math.min(erasureContract.enrollmentCheckEveryMs, deadline - Date.now()));
      open = await local.erasureOpenEnrollmentWorkflows({ ...ids, enrollmentIds: open });
    }
    // Stuck or wedged: the erasure stops it itself (nobody has to pause it by hand), and says so.
    const terminated = open.length > 0 ? await local.erasureTerminateEnrollmentWorkflows({ ...ids, enrollmentIds: open }) : 0;
    await local.erasureSequencesStopped({ ...ids, terminated });

    step = 'check_books';
    await external.erasureCheckBooks(ids);
    step = 'erase_crm';
    await local.erasureEraseCrm(ids);
    step = 'suppress';
    await local.erasureSuppress(ids);
    step = 'propagate';
    await Promise.all(PROPAGATE_SYSTEMS.map((system) => external.erasurePropagate({ ...ids, system, psaLinks: located.psaLinks })));
    await local.erasurePropagated(ids);
    step = 'verify';
    await checks.erasureVerify(ids);
    step = 'receipt';
    const { receiptSeq } = await local.erasureReceipt(ids);
    return { requestId: input.requestId, status: 'completed', receiptSeq };
  } catch (err) {
    const { code, detail } = describeFailure(err);
    // Recorded even while being cancelled: the status must never stay "running" for a dead run.
    await CancellationScope.nonCancellable(() => local.erasureFail({ ...ids, step, code, detail }));
    if (isCancellation(err)) throw err;
    throw ApplicationFailure.nonRetryable(`Erasure failed at step ${step} (${code}).`, code);
  }
}

function describeFailure(err: unknown): { code: string; detail: string } {
  if (isCancellation(err)) return { code: 'ERASURE_FAILED', detail: 'The erasure was cancelled.' };
  const failure = err instanceof ActivityFailure ? err.cause : err;
  if (failure instanceof ApplicationFailure && isReasonCode(failure.type)) return { code: failure.type, detail: failure.message };
  if (failure instanceof TimeoutFailure) return { code: 'ERASURE_FAILED', detail: 'The step timed out.' };
  return { code: 'ERASURE_FAILED', detail: failure instanceof Error ? failure.message : String(failure) };
}
