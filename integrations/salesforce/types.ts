/** Public shapes of the Salesforce client's results. */

/** A record as REST returns it, without `attributes`; parent fields stay nested (`Account: { Name }`). */
export type SalesforceRecord = { Id: string } & Record<string, unknown>;

export type SalesforceObjectName = 'Account' | 'Contact' | 'Lead' | 'User' | (string & {});

export interface UpdatedResult {
  ids: string[];
  /** Use as the next window's start (Salesforce's own watermark, not the local clock). */
  latestDateCovered: Date;
}

export interface DeletedResult {
  deletedRecords: Array<{ id: string; deletedDate: Date }>;
  /** A start earlier than this would miss deletes (purges, 15-day retention). */
  earliestDateAvailable: Date;
  latestDateCovered: Date;
}

export interface QueryPage {
  records: SalesforceRecord[];
  /** Rows the whole query matches. */
  totalSize: number;
  done: boolean;
  /** Resume point: pass as `resumeFrom` to continue after this page. */
  nextRecordsUrl?: string;
}

/** A per-row error. `message` is Salesforce's text and may quote the row's values (personal data). */
export interface RowError {
  statusCode: string;
  message: string;
  fields: string[];
}

export interface SaveResult {
  id?: string;
  success: boolean;
  /** Upserts only: whether the row created a record. */
  created?: boolean;
  errors: RowError[];
}

export interface BulkQueryPage {
  jobId: string;
  /** Values are Bulk CSV text ('true'/'false' for checkboxes, ISO datetimes); empty cells are null. */
  records: Array<Record<string, string | null>>;
  /** Locator of this page (null for the first). */
  locator: string | null;
  /** Locator of the next page, null after the last: with `jobId` it resumes the read after a crash. */
  nextLocator: string | null;
}

export type BulkIngestOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
export type BulkCell = string | number | boolean | Date | null | undefined;

export interface BulkIngestResult {
  jobId: string;
  state: 'JobComplete' | 'Failed' | 'Aborted';
  successful: Array<{ id: string; created: boolean; record: Record<string, string> }>;
  /** `id` is empty for failed inserts; `errors` parsed from `sf__Error` (`CODE:message:fields --`). */
  failed: Array<{ id: string | null; errors: RowError[]; rawError: string; record: Record<string, string> }>;
  unprocessed: Array<Record<string, string>>;
}

export interface FieldDescription {
  name: string;
  type: string;
  label?: string;
  length?: number;
  nillable?: boolean;
  createable?: boolean;
  updateable?: boolean;
  unique?: boolean;
  externalId?: boolean;
  referenceTo: string[];
  relationshipName: string | null;
}

export interface ObjectDescription {
  name: string;
  keyPrefix: string | null;
  replicateable: boolean;
  fields: FieldDescription[];
}

export interface OrgLimits {
  dailyApiRequests: { max: number; remaining: number; used: number };
  /** Every limit as Salesforce named it. */
  all: Record<string, { max: number; remaining: number }>;
}
