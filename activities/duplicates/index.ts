import { Context } from '@temporalio/activity';
import { findCandidates } from '../../services/duplicates/candidates';
import { beginScan, failScan, finishScan, storeCandidates, touchScan } from '../../services/duplicates/scans';
import { purgeExpiredMergeSnapshots } from '../../services/merges/merges';
import type { DedupScanInput, DedupScanResult } from '../../workflows/dedup-scan/contract';
import type { ActivityDeps } from '../deps';
import { heartbeatWhile } from '../heartbeat';

/** The duplicate scan's activities: begin (one scan at a time), run (find + store + cluster), fail. */
export function createDedupActivities(deps: ActivityDeps) {
  return {
    /** The API created the scan row already; a scheduled run creates one, or skips while another runs. */
    async dedupScanBegin(input: DedupScanInput): Promise<{ scanId: string | null }> {
      if (input.scanId) return { scanId: input.scanId };
      const { scan, started } = await beginScan(deps.db, 'schedule', null);
      return { scanId: started ? scan.id : null };
    },

    async dedupScanRun({ scanId }: { scanId: string }): Promise<DedupScanResult> {
      let lastTouch = 0;
      const search = await heartbeatWhile(() =>
        findCandidates(deps.db, {
          maxDistance: deps.config.DEDUP_NAME_MAX_DISTANCE,
          nameOnlyMaxPeople: deps.config.DEDUP_NAME_ONLY_MAX_PEOPLE,
          onProgress: (scanned) => {
            Context.current().heartbeat(scanned);
            if (Date.now() - lastTouch > 5_000) {
              lastTouch = Date.now();
              void touchScan(deps.db, scanId, scanned).catch(() => undefined);
            }
          },
        }),
      );
      const stored = await heartbeatWhile(() => storeCandidates(deps.db, scanId, search.candidates.values()));
      await finishScan(deps.db, scanId, { contactsScanned: search.contactsScanned, comparisons: search.comparisons, ...stored });
      await purgeExpiredMergeSnapshots(deps.db);
      return { scanId, status: 'completed', contactsScanned: search.contactsScanned, pairsFound: stored.found, pairsNew: stored.fresh };
    },

    async dedupScanFail({ scanId, code }: { scanId: string; code: string }): Promise<void> {
      await failScan(deps.db, scanId, code);
    },
  };
}
