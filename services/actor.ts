import type { RoleName } from '../domain/permissions';

/** Who asks a service to do something: an authenticated user (through the API) or the system itself. */
export interface Actor {
  userId: string | null;
  /** `system`: an automation (a deal rule, a sync, a workflow) acting on the data it was set up for. */
  role: RoleName | 'system' | null;
}

export const SYSTEM_ACTOR: Actor = { userId: null, role: 'system' };

/** How the activity log names the actor: `user:<id>`. */
export const actorLabel = (actor: Actor) => `user:${actor.userId ?? 'unknown'}`;
