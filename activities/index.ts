import type { ActivityDeps } from './deps';
import { createDealActivities } from './deals';
import { createDedupActivities } from './duplicates';
import { createErasureActivities } from './erasure';
import { createImportActivities } from './imports';
import { createMergeActivities } from './merges';
import { createPromotionActivities } from './promotion';
import { createReconcileActivities } from './reconcile/stopped-workflows';
import { createSequenceActivities } from './sequences';
import { createSyncActivities } from './sync';

/** All activities, built from injected dependencies. Workflows import only the type of this. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPromotionActivities(deps),
    ...createSequenceActivities(deps),
    ...createReconcileActivities(deps),
    ...createDealActivities(deps),
    ...createImportActivities(deps),
    ...createDedupActivities(deps),
    ...createMergeActivities(deps),
    ...createErasureActivities(deps),
    ...createSyncActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
