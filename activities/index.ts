import type { ActivityDeps } from './deps';
import { createPromotionActivities } from './promotion';
import { createSequenceActivities } from './sequences';

/** All activities, built from injected dependencies. Workflows import only the type of this. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPromotionActivities(deps),
    ...createSequenceActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
