/**
 * `erasureRetentionSweepWorkflow`, started daily by the Schedule `erasure-retention-sweep`: removes
 * retained references whose retainUntil is before today (the workflow's date, UTC) and their stubs,
 * with a receipt per request. Idempotent per day.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/types';
import type { RetentionSweepInput, RetentionSweepResult } from './contract';

const { erasureRetentionSweep } = proxyActivities<Activities>({ startToCloseTimeout: '10m', retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 20 } });

export async function erasureRetentionSweepWorkflow(input: RetentionSweepInput = {}): Promise<RetentionSweepResult> {
  const asOf = input.asOf ?? new Date(Date.now()).toISOString().slice(0, 10);
  return erasureRetentionSweep({ asOf });
}
