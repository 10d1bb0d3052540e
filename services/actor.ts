import type { RoleName } from '../domain/permissions';

/** Who asks a service to do something: an authenticated user (through the API) or the system. */
export interface Actor {
  userId: string | null;
  role: RoleName | null;
}

/** How the activity log names the actor: `user:<id>`. */
export const actorLabel = (actor: Actor) => `user:${actor.userId ?? 'unknown'}`;
