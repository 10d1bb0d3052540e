import { requireSetting } from '../../domain/config';
import { dropStagedRows, prepareImport } from '../../services/imports/apply-batch';
import { applyBatches } from '../../services/imports/apply-lanes';
import { failImport, importCounts } from '../../services/imports/imports';
import { importContract, type ImportBatchesResult, type ImportInput, type ImportResult } from '../../workflows/import/contract';
import type { ActivityDeps } from '../deps';
import { heartbeatWhile } from '../heartbeat';

/** One activity call applies batches for about this long, then reports back (short histories, prompt cancel). */
const CALL_BUDGET_MS = 20_000;

/** The import workflow's activities: prepare, apply batches (each its own transaction), finish, fail. */
export function createImportActivities(deps: ActivityDeps) {
  const clock = deps.clock ?? Date.now;
  return {
    async importPrepare({ importId }: ImportInput): Promise<string> {
      return prepareImport(deps.db, importId);
    },

    /**
     * Applies batches until the import is done or cancelled, or the call's time budget is used. Each
     * batch commits its rows with the import's cursor, so a retry after a crash resumes at the next batch.
     */
    async importApplyBatches({ importId }: ImportInput): Promise<ImportBatchesResult> {
      const erasureSecret = requireSetting(deps.config, 'ERASURE_HASH_SECRET');
      const until = clock() + CALL_BUDGET_MS;
      const outcome = await heartbeatWhile(() => applyBatches(deps.db, importId, { batchSize: deps.config.IMPORT_BATCH_SIZE, erasureSecret, actor: importContract.actor(importId), keepGoing: () => clock() < until }));
      if (outcome.state === 'failed') return { state: 'cancelled', appliedThrough: outcome.appliedThrough, processed: outcome.processed };
      return { state: outcome.state, appliedThrough: outcome.appliedThrough, processed: outcome.processed };
    },

    /** Drops the staged copy of the file and returns the counts. */
    async importFinish({ importId }: ImportInput): Promise<ImportResult> {
      await heartbeatWhile(() => dropStagedRows(deps.db, importId));
      return importCounts(deps.db, importId);
    },

    async importFail({ importId, code, message }: ImportInput & { code: string; message: string }): Promise<void> {
      await failImport(deps.db, importId, code, message);
      await dropStagedRows(deps.db, importId);
    },
  };
}
