/** CSV import vocabularies: the one source for types, zod enums and SQL CHECKs. */
export const IMPORT_STATUSES = ['uploading', 'queued', 'running', 'completed', 'cancelling', 'cancelled', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export const FINISHED_IMPORT_STATUSES = ['completed', 'cancelled', 'failed'] as const satisfies readonly ImportStatus[];

export const ON_EXISTING = ['update', 'skip'] as const;
export type OnExisting = (typeof ON_EXISTING)[number];

/** Contact fields a CSV column can map to. `companyId` wins over `companyName` when a row has both. */
export const IMPORT_FIELDS = ['email', 'firstName', 'lastName', 'companyId', 'companyName', 'timeZone', 'consent', 'status'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

export const IMPORT_ENCODINGS = ['utf-8', 'windows-1252'] as const;
export type ImportEncoding = (typeof IMPORT_ENCODINGS)[number];
