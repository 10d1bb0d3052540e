import { formatDuration } from '../../domain/duration';
import { createStepRecorder, type PromotionDeps, type StepInput } from './step-context';

export interface AwaitConfirmationInput extends StepInput {
  psaClientId: string;
  timeoutMs: number;
  pollIntervalMs: number;
}

export interface PollInput extends StepInput {
  psaClientId: string;
}

/** Step 4 (start): the status says the promotion waits for the PSA, and for how long at most. */
export function awaitConfirmationActivity({ db }: PromotionDeps) {
  return async function promotionAwaitConfirmation(input: AwaitConfirmationInput): Promise<void> {
    const step = createStepRecorder(db, input, 'wait_for_confirmation');
    const detail = `Waiting for the PSA to confirm client ${input.psaClientId} (webhook, or polling every ${formatDuration(input.pollIntervalMs)}), for at most ${formatDuration(input.timeoutMs)}.`;
    await step.record({ status: 'running', code: null, detail }, { status: 'waiting_for_psa' });
  };
}

/**
 * Step 4 (fallback): asks the PSA whether the client is active, in case its webhook was lost.
 * Never throws: a failed poll (PSA down, key rejected) leaves the wait going, and the step's detail says why.
 */
export function pollPsaActivity({ db, psa }: PromotionDeps) {
  return async function promotionPollPsa(input: PollInput): Promise<{ active: boolean }> {
    try {
      const client = await psa().findClientByCrmCompanyId(input.companyId);
      return { active: client?.id === input.psaClientId && client.status === 'active' };
    } catch (err) {
      const step = createStepRecorder(db, input, 'wait_for_confirmation');
      await step.record({ status: 'running', detail: `Waiting for the PSA's webhook; the last poll failed: ${err instanceof Error ? err.message : String(err)}` });
      return { active: false };
    }
  };
}
