/**
 * The duplicate scan's contract: `dedup-scan-<scanId>` (on demand) or the nightly Schedule
 * `dedup-scan-nightly`. Ids and counts only.
 */
import type { DedupScanTrigger } from '../../domain/duplicates/vocabulary';

export interface DedupScanInput {
  /** Given when the API created the scan row; the Schedule's runs create their own. */
  scanId?: string;
  trigger: DedupScanTrigger;
}

export interface DedupScanResult {
  scanId: string | null;
  /** `skipped`: another scan was running when the Schedule fired. */
  status: 'completed' | 'skipped';
  contactsScanned: number;
  pairsFound: number;
  pairsNew: number;
}

export const dedupScanContract = {
  type: 'dedupScanWorkflow',
  id: (scanId: string) => `dedup-scan-${scanId}`,
  scheduleId: 'dedup-scan-nightly',
  scheduledWorkflowId: 'dedup-scan-nightly',
  actor: (scanId: string) => `workflow:dedup-scan-${scanId}`,
} as const;
