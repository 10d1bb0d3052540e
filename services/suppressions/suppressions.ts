/** The suppression list (admin writes; admin and compliance read). Removal needs a reason and is logged. */
import type { Db } from '../../db/database';
import { addSuppression, listSuppressions, removeSuppression } from '../../db/suppressions';
import { normalizeEmail } from '../../domain/email-address';
import type { SuppressionReason } from '../../domain/suppressions/vocabulary';
import { actorLabel, type Actor } from '../actor';
import { conflict, invalidFields, notFound } from '../errors';

export function pageSuppressions(db: Db, q: { limit: number; cursor?: string; address?: string; reason?: SuppressionReason }) {
  return listSuppressions(db, { limit: q.limit, cursor: q.cursor, addressNormalized: q.address ? normalizeEmail(q.address) : undefined, reason: q.reason });
}

/** Idempotent: adding an address that is already suppressed returns the existing entry and keeps its reason. */
export function suppressAddress(db: Db, b: { address: string; reason: Exclude<SuppressionReason, 'erased'>; note?: string | null }, actor: Actor) {
  return addSuppression(db, { addressNormalized: normalizeEmail(b.address), reason: b.reason, note: b.note ?? null, actor: actorLabel(actor) });
}

export async function unsuppress(db: Db, id: string, reason: string | undefined, actor: Actor): Promise<void> {
  if (!reason) throw invalidFields([{ path: 'body.reason', problem: 'required (in the JSON body, or as ?reason=)' }], 'Invalid request: reason is required (why may this address be emailed again?)');
  const result = await removeSuppression(db, id, { removalReason: reason, actor: actorLabel(actor) });
  if (result.status === 'not_found') throw notFound('Suppression', id);
  if (result.status === 'erased') throw conflict('ERASED', 'This address was erased (GDPR): it stays suppressed permanently, as a keyed hash, and cannot be removed.');
}
