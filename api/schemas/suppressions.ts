import { z } from 'zod';
import type { SuppressionRow } from '../../db/suppressions';
import { MANUAL_SUPPRESSION_REASONS, SUPPRESSION_REASONS } from '../../domain/suppressions/vocabulary';
import { emailAddress } from './strings';

const reasons = SUPPRESSION_REASONS;

export const suppressionSchema = z
  .object({
    id: z.string(),
    /** The normalised address; null for an erased contact, whose address is kept only as a keyed hash. */
    address: z.string().nullable(),
    erased: z.boolean(),
    reason: z.enum(reasons),
    note: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Suppression' });

export const suppressionListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  address: z.string().trim().min(1).max(254).optional(),
  reason: z.enum(reasons).optional(),
});

const address = emailAddress('ada@example.com');

/** `erased` is not accepted here: only the erasure workflow creates those, as a hash. */
export const createSuppressionBody = z.strictObject({
  address,
  reason: z.enum(MANUAL_SUPPRESSION_REASONS),
  note: z.string().trim().max(1000).nullable().optional(),
});

const removalReason = z.string().trim().min(3, 'must say why the address may be emailed again (at least 3 characters)').max(1000);
export const deleteSuppressionQuery = z.strictObject({ reason: removalReason.optional().describe('Why the address may be emailed again. Required: here or in the body.') });
export const deleteSuppressionBody = z.strictObject({ reason: removalReason.optional().describe('Why the address may be emailed again. Required: here or in the query.') }).nullable().optional();

export function toSuppressionJson(row: SuppressionRow): z.infer<typeof suppressionSchema> {
  return { id: row.id, address: row.address_normalized, erased: row.address_normalized === null, reason: row.reason, note: row.note, createdBy: row.created_by, createdAt: row.created_at.toISOString() };
}
