/**
 * Workflow `dedup-scan-<scanId>` (on demand) and the nightly Schedule's runs: find duplicate candidates
 * (sorted-neighbourhood blocking, Levenshtein on names, exact email) and store them as pairs and
 * clusters. Counts only in history.
 */
import { CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/types';
import type { DedupScanInput, DedupScanResult } from './contract';

const local = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 } });
/** A scan of a million contacts takes minutes; the heartbeat tells a dead worker from a slow scan. */
const scan = proxyActivities<Activities>({ startToCloseTimeout: '2h', heartbeatTimeout: '1m', retry: { initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 5 } });

export async function dedupScanWorkflow(input: DedupScanInput): Promise<DedupScanResult> {
  const { scanId } = await local.dedupScanBegin(input);
  if (scanId === null) return { scanId: null, status: 'skipped', contactsScanned: 0, pairsFound: 0, pairsNew: 0 };
  try {
    return await scan.dedupScanRun({ scanId });
  } catch (err) {
    await CancellationScope.nonCancellable(() => local.dedupScanFail({ scanId, code: isCancellation(err) ? 'WORKFLOW_STOPPED' : 'DEDUP_SCAN_FAILED' }));
    throw err;
  }
}
