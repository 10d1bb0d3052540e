/**
 * Workflow `deal-<dealId>`: runs the deal's automation rules. Each round, an activity reads what
 * happened since the last round (stage entries from the stage history, inactivity deadlines from the
 * deal's last activity) and plans rule firings in PostgreSQL (one row per deal, rule and event, so
 * nothing fires twice); each firing's action is its own activity. `no_activity_for` waits on a durable
 * timer until the earliest deadline, woken early by the `dealChanged` signal. With nothing to wait
 * for (no inactivity rule applies, the deal closed) the workflow ends; the next change starts it again.
 */
import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/types';
import { dealAutomationContract, type DealAutomationInput, type DealAutomationResult } from './contract';

const { signals, queries } = dealAutomationContract;

const { planDealRules, runDealRuleFiring } = proxyActivities<Activities>({
  // Actions start workflows (enrollments, a promotion) and write rows: bounded, and retried until done.
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function dealAutomationWorkflow(input: DealAutomationInput): Promise<DealAutomationResult> {
  const { dealId } = input;
  let afterHistoryId = input.carry?.afterHistoryId ?? '0';
  let firings = input.carry?.firings ?? 0;
  let nextDueAtMs: number | null = null;
  let wakeups = 0;

  setHandler(signals.dealChanged, () => {
    wakeups++;
  });
  setHandler(queries.status, () => ({ dealId, afterHistoryId, firings, ...(nextDueAtMs !== null && { nextDueAt: new Date(nextDueAtMs).toISOString() }) }));

  for (;;) {
    const seen = wakeups;
    const plan = await planDealRules({ dealId, afterHistoryId, nowMs: Date.now() });
    if (plan.dealGone) return { ended: 'deal_gone', firings };
    afterHistoryId = plan.afterHistoryId;
    nextDueAtMs = plan.nextDueAtMs;
    for (const firingId of plan.firingIds) {
      await runDealRuleFiring({ firingId });
      firings++;
    }
    // An action may have moved the deal (a new stage entry): plan again before waiting.
    if (plan.firingIds.length > 0) continue;
    if (nextDueAtMs === null && wakeups === seen) return { ended: 'idle', firings };
    if (workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof dealAutomationWorkflow>({ dealId, carry: { afterHistoryId, firings } });
    }
    const changed = () => wakeups !== seen;
    if (nextDueAtMs === null) await condition(changed);
    else await condition(changed, Math.max(1, nextDueAtMs - Date.now()));
  }
}
