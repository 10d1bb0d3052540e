/** Public API of the Salesforce integration. Nothing outside this folder imports jsforce. */
export { createSalesforceClient, type SalesforceClient, type SalesforceClientOptions } from './client';
export type { SalesforceCallStats } from './core';
export {
  SalesforceAuthError, SalesforceCursorExpiredError, SalesforceError, SalesforceQuotaError, SalesforceRejectedError,
  SalesforceTransientError, classifySalesforceError, type ApiUsage, type ClassifyHints,
} from './errors';
export type { BulkIngestOptions } from './bulk-ingest';
export type { PollOptions } from './bulk-jobs';
export type { BulkQueryOptions } from './bulk-query';
export { RETRIEVE_CHUNK } from './retrieve';
export { WRITE_CHUNK, type WriteOptions } from './collections';
export type { QueryOptions } from './query';
export { clearSalesforceTokenCache } from './session';
export { SalesforceSettings, type SalesforceSettingsInput } from './settings';
export type * from './types';
export { parseSalesforceDateTime } from './wire';
