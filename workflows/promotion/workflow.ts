/**
 * Workflow `promotion-<companyId>`: promotes a CRM company to a PSA client.
 * preflight → mark_customer → notify_psa → wait_for_confirmation → link → sync_contacts.
 * Activities persist each step's progress; this code only orders them, waits, and names failures.
 * Payloads carry ids only (company id, PSA client id), never personal data.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/types';
import { formatDuration } from '../../domain/duration';
import type { PromotionStepName } from '../../domain/promotion/steps';
import { isReasonCode, type ReasonCode } from '../../domain/reason-codes';
import { CONFIRMATION_POLL_INTERVAL_MS, promotionContract, type PromotionInput, type PromotionResult } from './contract';

const { signals, queries } = promotionContract;

/** While the PSA is unreachable a step retries with backoff for about 10 minutes, then the promotion fails with PSA_UNREACHABLE. */
const psaRetry = { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 15 } as const;
/** PSA calls heartbeat while in flight: a killed worker's call is retried within seconds, not after a minute. */
const psaSteps = proxyActivities<Activities>({ startToCloseTimeout: '1m', heartbeatTimeout: '10s', retry: psaRetry });
/** One call per contact: long lists take a while; the heartbeat tells a stuck worker from a slow one. */
const syncSteps = proxyActivities<Activities>({ startToCloseTimeout: '30m', heartbeatTimeout: '1m', retry: psaRetry });
/** Database-only steps and bookkeeping: retried until the database answers. */
const localSteps = proxyActivities<Activities>({ startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '1m' } });
/** The polling fallback is best effort: the next poll is the retry. */
const pollSteps = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 1 } });

export async function promotionWorkflow(input: PromotionInput): Promise<PromotionResult> {
  const ids = { companyId: input.companyId, attempt: input.attempt };
  let step: PromotionStepName = 'preflight';
  let psaClientId: string | undefined;
  // The webhook may be signalled before notify_psa returns; remember every confirmed id.
  const confirmed = new Set<string>();
  setHandler(signals.psaClientCreated, ({ psaClientId: id }) => void confirmed.add(id));
  setHandler(queries.progress, () => ({ attempt: input.attempt, step, waitingForPsa: step === 'wait_for_confirmation', ...(psaClientId !== undefined && { psaClientId }) }));

  try {
    await psaSteps.promotionPreflight(ids);
    step = 'mark_customer';
    await localSteps.promotionMarkCustomer(ids);
    step = 'notify_psa';
    const notified = await psaSteps.promotionNotifyPsa(ids);
    const clientId = notified.psaClientId;
    psaClientId = clientId;
    step = 'wait_for_confirmation';
    const confirmedBy = notified.active ? 'psa' : await waitForConfirmation(input, clientId, confirmed);
    step = 'link';
    await localSteps.promotionLink({ ...ids, psaClientId: clientId, confirmedBy });
    step = 'sync_contacts';
    const contacts = await syncSteps.promotionSyncContacts({ ...ids, psaClientId: clientId });
    await localSteps.promotionComplete({ ...ids, psaClientId: clientId });
    return { status: 'completed', psaClientId: clientId, contactsSynced: contacts.synced, contactsSkipped: contacts.skipped };
  } catch (err) {
    const { code, detail } = describeFailure(err);
    // Recorded even while being cancelled: the status must never stay "running" for a dead run.
    await CancellationScope.nonCancellable(() => localSteps.promotionFail({ ...ids, step, code, detail }));
    if (isCancellation(err)) throw err;
    throw ApplicationFailure.nonRetryable(`Promotion failed at step ${step} (${code}): ${detail}`, code);
  }
}

/** Durable wait for the PSA's client.created webhook (a signal), polling the PSA as a fallback, until the timeout. */
async function waitForConfirmation(input: PromotionInput, psaClientId: string, confirmed: ReadonlySet<string>): Promise<'webhook' | 'polling'> {
  const ids = { companyId: input.companyId, attempt: input.attempt };
  await localSteps.promotionAwaitConfirmation({ ...ids, psaClientId, timeoutMs: input.confirmationTimeoutMs, pollIntervalMs: CONFIRMATION_POLL_INTERVAL_MS });
  const deadline = Date.now() + input.confirmationTimeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw ApplicationFailure.nonRetryable(
        `The PSA did not confirm client ${psaClientId} within ${formatDuration(input.confirmationTimeoutMs)}. The company stays a customer and its link is pending; retry the promotion once the PSA has processed the client.`,
        'PSA_CONFIRMATION_TIMEOUT',
      );
    }
    if (await condition(() => confirmed.has(psaClientId), Math.min(CONFIRMATION_POLL_INTERVAL_MS, remaining))) return 'webhook';
    if (await pollOnce(ids, psaClientId)) return 'polling';
  }
}

async function pollOnce(ids: { companyId: string; attempt: number }, psaClientId: string): Promise<boolean> {
  try {
    return (await pollSteps.promotionPollPsa({ ...ids, psaClientId })).active;
  } catch (err) {
    log.warn('PSA poll failed; waiting on', { error: err instanceof Error ? err.message : String(err) });
    return false;
  }
}

/** The reason code and explanation of a failed step; PROMOTION_INCOMPLETE when nothing more specific is known. */
function describeFailure(err: unknown): { code: ReasonCode; detail: string } {
  if (isCancellation(err)) return { code: 'PROMOTION_INCOMPLETE', detail: 'The promotion was cancelled.' };
  const failure = err instanceof ActivityFailure ? err.cause : err;
  if (failure instanceof ApplicationFailure && isReasonCode(failure.type)) {
    const code = failure.type;
    // A retryable failure that ends the promotion means the retries are used up.
    const detail = code === 'PSA_UNREACHABLE' ? `The PSA API stayed unreachable; the step gave up after ${psaRetry.maximumAttempts} attempts. Last error: ${failure.message}` : failure.message;
    return { code, detail };
  }
  if (failure instanceof TimeoutFailure) return { code: 'PROMOTION_INCOMPLETE', detail: 'The step timed out.' };
  return { code: 'PROMOTION_INCOMPLETE', detail: failure instanceof Error ? failure.message : String(failure) };
}
