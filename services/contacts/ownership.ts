/**
 * Data scope for contacts (OWASP API1/API5): admins write every contact; reps write only contacts they
 * own or unowned ones (writing an unowned one claims it); other roles write none (their permissions
 * already refuse). Reading is not scoped here: every role with `contacts:read` reads every contact.
 */
import type { Actor } from '../actor';
import { forbidden, type ServiceError } from '../errors';

export interface OwnedContact {
  id: string;
  owner_id: string | null;
}

/** Whether the actor may write (update, delete, enroll, unsubscribe, merge, reassign) this contact. */
export function mayWriteContact(actor: Actor, contact: OwnedContact): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role !== 'rep' || actor.userId === null) return false;
  return contact.owner_id === null || contact.owner_id === actor.userId;
}

/** The refusal for a contact the actor may not write; names the owner so the rep knows whom to ask. */
export function notOwner(contact: OwnedContact): ServiceError {
  return forbidden('NOT_OWNER', `Contact ${contact.id} is owned by user ${contact.owner_id}; only its owner or an admin can change it.`);
}

export function assertMayWriteContact(actor: Actor, contact: OwnedContact): void {
  if (!mayWriteContact(actor, contact)) throw notOwner(contact);
}

/** The owner a rep's write leaves on the contact: an unowned contact becomes theirs (claimed). */
export function ownerAfterWrite(actor: Actor, contact: OwnedContact): string | null {
  return contact.owner_id ?? (actor.role === 'rep' ? actor.userId : null);
}
