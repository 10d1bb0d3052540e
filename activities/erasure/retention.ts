import { sweepExpiredRetention } from '../../services/erasure/retention-sweep';
import { retentionSweepContract, type RetentionSweepResult } from '../../workflows/erasure-retention/contract';
import type { ErasureDeps } from './step-context';

/** The retention sweep's one activity (idempotent per day). */
export function retentionActivities(deps: ErasureDeps) {
  return {
    async erasureRetentionSweep({ asOf }: { asOf: string }): Promise<RetentionSweepResult> {
      return { asOf, ...(await sweepExpiredRetention(deps.db, asOf, retentionSweepContract.actor)) };
    },
  };
}
