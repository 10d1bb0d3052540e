/**
 * Waking `deal-<dealId>` automation workflows (services: after a deal change commits, after rules
 * change). signalWithStart: a running workflow is signalled, an ended one starts again. Ids only.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { dealAutomationContract } from '../workflows/deal-automation/contract';
import type { dealAutomationWorkflow } from '../workflows/deal-automation/workflow';
import { withTemporalDeadline } from './deadline';
import { mapLimit, TEMPORAL_CONCURRENCY } from './map-limit';

export async function wakeDealAutomation(temporal: Client, taskQueue: string, dealId: string): Promise<void> {
  await withTemporalDeadline(temporal, () =>
    temporal.workflow.signalWithStart<typeof dealAutomationWorkflow>(dealAutomationContract.type, {
      workflowId: dealAutomationContract.id(dealId),
      taskQueue,
      args: [{ dealId }],
      signal: dealAutomationContract.signals.dealChanged,
      signalArgs: [],
      typedSearchAttributes: [{ key: dealAutomationContract.searchAttributes.DealId, value: dealId }],
    }),
  );
}

/** Wakes each deal's workflow; returns the ids Temporal did not accept (the caller logs them). */
export async function wakeDealAutomations(temporal: Client, taskQueue: string, dealIds: readonly string[]): Promise<{ dealId: string; err: unknown }[]> {
  const outcomes = await mapLimit(dealIds, TEMPORAL_CONCURRENCY, async (dealId) => {
    try {
      await wakeDealAutomation(temporal, taskQueue, dealId);
      return null;
    } catch (err) {
      return { dealId, err };
    }
  });
  return outcomes.filter((o): o is { dealId: string; err: unknown } => o !== null);
}

/** Signals the deal's workflow only if one is running (a deleted deal must not start one). */
export async function signalDealAutomationIfRunning(temporal: Client, dealId: string): Promise<void> {
  try {
    await withTemporalDeadline(temporal, () => temporal.workflow.getHandle(dealAutomationContract.id(dealId)).signal(dealAutomationContract.signals.dealChanged));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return;
    throw err;
  }
}
