/** Duplicate detection and merge vocabularies: the one source for types, zod enums and SQL CHECKs. */
export const DUPLICATE_PAIR_STATUSES = ['open', 'dismissed', 'merged'] as const;
export type DuplicatePairStatus = (typeof DUPLICATE_PAIR_STATUSES)[number];

export const DUPLICATE_REASONS = ['DUPLICATE_EMAIL', 'DUPLICATE_NAME'] as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];

export const DEDUP_SCAN_STATUSES = ['running', 'completed', 'failed'] as const;
export type DedupScanStatus = (typeof DEDUP_SCAN_STATUSES)[number];

export const DEDUP_SCAN_TRIGGERS = ['api', 'schedule'] as const;
export type DedupScanTrigger = (typeof DEDUP_SCAN_TRIGGERS)[number];

export const MERGE_STATUSES = ['running', 'completed', 'refused', 'failed', 'undone'] as const;
export type MergeStatus = (typeof MERGE_STATUSES)[number];

/** What a merge journals, so an undo can move it back. */
export const MERGE_MOVE_KINDS = ['activity', 'enrollment', 'suppression'] as const;
export type MergeMoveKind = (typeof MERGE_MOVE_KINDS)[number];

/** Contact fields a merge can take from any of the merged contacts (`fields: { <field>: <contactId> }`). */
export const MERGEABLE_FIELDS = ['email', 'firstName', 'lastName', 'companyId', 'timeZone', 'consent', 'status', 'ownerId'] as const;
export type MergeableField = (typeof MERGEABLE_FIELDS)[number];
