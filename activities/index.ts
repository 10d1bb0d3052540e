import type { ActivityDeps } from './deps';

/** All activities, built from injected dependencies. Workflows import only the type of this. */
export function createActivities(_deps: ActivityDeps) {
  return {};
}

export type Activities = ReturnType<typeof createActivities>;
