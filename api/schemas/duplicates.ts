import { z } from 'zod';
import type { ContactMergeRow, DedupScanRow } from '../../db/schema-duplicates-import';
import { DEDUP_SCAN_STATUSES, MERGE_STATUSES, MERGEABLE_FIELDS } from '../../domain/duplicates/vocabulary';
import type { Cluster } from '../../services/duplicates/duplicates';
import type { UndoResult } from '../../services/merges/merges';

export const scanSchema = z
  .object({
    id: z.string(),
    status: z.enum(DEDUP_SCAN_STATUSES),
    trigger: z.string(),
    contactsScanned: z.number(),
    comparisons: z.number(),
    pairsFound: z.number(),
    pairsNew: z.number(),
    code: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'DuplicateScan' });

export const toScanJson = (s: DedupScanRow): z.infer<typeof scanSchema> => ({
  id: s.id,
  status: s.status,
  trigger: s.trigger,
  contactsScanned: s.contacts_scanned,
  comparisons: Number(s.comparisons),
  pairsFound: s.pairs_found,
  pairsNew: s.pairs_new,
  code: s.code,
  createdAt: s.created_at.toISOString(),
  finishedAt: s.finished_at?.toISOString() ?? null,
});

export const clusterSchema = z
  .object({
    id: z.string(),
    score: z.number(),
    members: z.array(z.object({ contactId: z.string(), email: z.string().nullable(), firstName: z.string().nullable(), lastName: z.string().nullable(), companyId: z.string().nullable(), ownerId: z.string().nullable(), reasons: z.array(z.string()) })),
    pairs: z.array(z.object({ id: z.string(), contactIds: z.array(z.string()), reasons: z.array(z.string()), score: z.number(), nameDistance: z.number().nullable() })),
  })
  .meta({ id: 'DuplicateCluster' });

export const toClusterJson = (c: Cluster): z.infer<typeof clusterSchema> => ({
  id: c.id,
  score: c.score,
  members: c.members.map((m) => ({ contactId: m.id, email: m.email, firstName: m.first_name, lastName: m.last_name, companyId: m.company_id, ownerId: m.owner_id, reasons: m.reasons })),
  pairs: c.pairs,
});

export const clusterListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  contactId: z.uuid().optional(),
});

export const mergeBody = z.strictObject({
  duplicateIds: z.array(z.uuid({ message: 'must be a UUID' })).min(1).max(50),
  fields: z.partialRecord(z.enum(MERGEABLE_FIELDS), z.uuid({ message: 'must be the id of one of the merged contacts' })).optional(),
});

export const mergeSchema = z
  .object({
    id: z.string(),
    primaryId: z.string(),
    duplicateIds: z.array(z.string()),
    status: z.enum(MERGE_STATUSES),
    code: z.string().nullable(),
    message: z.string().nullable(),
    result: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
    undoUntil: z.string().nullable(),
    undoneAt: z.string().nullable(),
  })
  .meta({ id: 'ContactMerge' });

export const toMergeJson = (m: ContactMergeRow): z.infer<typeof mergeSchema> => ({
  id: m.id,
  primaryId: m.primary_id,
  duplicateIds: m.duplicate_ids,
  status: m.status,
  code: m.code,
  message: m.message,
  result: m.result,
  createdAt: m.created_at.toISOString(),
  completedAt: m.completed_at?.toISOString() ?? null,
  undoUntil: m.undo_until?.toISOString() ?? null,
  undoneAt: m.undone_at?.toISOString() ?? null,
});

export const undoSchema = z.object({ merge: mergeSchema, restoredActivities: z.number(), restoredEnrollments: z.number(), enrollmentsStillEnded: z.array(z.string()), keptLaterEdits: z.array(z.string()) });
export const toUndoJson = (u: UndoResult): z.infer<typeof undoSchema> => ({ ...u, merge: toMergeJson(u.merge) });
