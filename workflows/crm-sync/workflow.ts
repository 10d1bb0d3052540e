/**
 * `crm-sync-<connectorId>`: a cycle (begin → read the change feeds → full loads where needed → apply
 * the pending queue in batches → push the outbound queue → end → prune old snapshots), or a replay
 * cycle (begin → re-apply a past window from stored snapshots → end), then a durable timer for the cadence. Signals: sync-now (run
 * now), pause / resume and settings-changed (re-check at once; the database holds the truth). The API
 * budget defers a cycle with a durable timer (API_BUDGET_DEFERRED); REQUEST_LIMIT_EXCEEDED backs off
 * the same way; CRM_AUTH_FAILED parks the loop until a signal. Continues as new when the server
 * suggests it. Ids and counts only in its history.
 */
import { ActivityFailure, ApplicationFailure, condition, continueAsNew, patched, proxyActivities, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/types';
import { crmSyncContract, TWO_WAY_PATCH, type CrmSyncInput, type CrmSyncStatus } from './contract';

const control = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});
/** CRM calls: a transient failure (5xx, a 503 on a POST jsforce does not retry, a dropped socket) is retried here. */
const crm = proxyActivities<Activities>({
  startToCloseTimeout: '15m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 6, nonRetryableErrorTypes: [...crmSyncContract.nonRetryableErrorTypes] },
});

/** The reason code a failed cycle is recorded with. */
function codeOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const type = cause instanceof ApplicationFailure ? cause.type : undefined;
  switch (type) {
    case 'SalesforceQuotaError':
      return 'REQUEST_LIMIT_EXCEEDED';
    case 'SalesforceAuthError':
      return 'CRM_AUTH_FAILED';
    case 'SalesforceRejectedError':
      return 'CRM_REJECTED';
    default:
      return 'CRM_UNAVAILABLE';
  }
}

export async function crmSyncWorkflow(input: CrmSyncInput): Promise<void> {
  const { connectorId } = input;
  const { signals, queries } = crmSyncContract;
  let wake = input.runNow ?? false;
  const status: CrmSyncStatus = { state: 'starting', cyclesRun: input.cyclesRun ?? 0, lastCycleId: null, lastCode: null };
  setHandler(signals.syncNow, () => void (wake = true));
  setHandler(signals.pause, () => void (wake = true));
  setHandler(signals.resume, () => void (wake = true));
  setHandler(signals.settingsChanged, () => void (wake = true));
  setHandler(queries.status, () => ({ ...status }));

  for (;;) {
    wake = false;
    // Two-way (issue 11): the push after the apply, replay cycles, pruning. Executions started before it run as they did.
    const twoWay = patched(TWO_WAY_PATCH);
    const cycleId = uuid4();
    const ref = { connectorId, cycleId };
    const begin = await control.syncBeginCycle(ref);
    if (begin.action === 'gone') return;
    let waitMs = begin.cadenceMs;
    if (begin.action === 'paused' || begin.action === 'auth_failed') {
      status.state = begin.action;
      await condition(() => wake);
      continue;
    }
    if (begin.action === 'deferred') {
      status.state = 'deferred';
      status.lastCode = 'API_BUDGET_DEFERRED';
      await condition(() => wake, Math.max(1_000, begin.deferMs));
      continue;
    }
    if (begin.action !== 'run') continue;
    const quotaBackoffMs = begin.quotaBackoffMs;
    status.state = 'running';
    status.lastCycleId = cycleId;
    try {
      if (twoWay && begin.kind === 'replay') {
        while ((await crm.syncReplayBatches(ref)).state === 'more');
      } else {
        const read = await crm.syncReadChanges(ref);
        for (const object of read.fullLoads) {
          while ((await crm.syncLoadSnapshot({ ...ref, object })).state === 'more');
        }
        while ((await crm.syncApplyBatches(ref)).state === 'more');
        if (twoWay) while ((await crm.syncPushBatches(ref)).state === 'more');
      }
      await control.syncEndCycle({ ...ref, status: 'completed' });
      if (twoWay) await control.syncPruneHistory(ref);
      status.lastCode = null;
    } catch (err) {
      const code = codeOf(err);
      status.lastCode = code;
      if (code === 'REQUEST_LIMIT_EXCEEDED') {
        waitMs = quotaBackoffMs;
        await control.syncEndCycle({ ...ref, status: 'deferred', code, deferMs: waitMs });
      } else {
        await control.syncEndCycle({ ...ref, status: 'failed', code });
      }
    }
    status.cyclesRun++;
    status.state = 'waiting';
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof crmSyncWorkflow>({ connectorId, cyclesRun: status.cyclesRun, runNow: wake });
    await condition(() => wake, waitMs);
  }
}
