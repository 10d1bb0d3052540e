/**
 * Names operators read in the Temporal Web UI: workflow ids, search attributes, task queue.
 * Ids carry only opaque database ids, never personal data.
 */
export const DEFAULT_TASK_QUEUE = 'crm';

/** Custom search attributes registered on the namespace (all Keyword). */
export const SEARCH_ATTRIBUTES = ['ContactId', 'CompanyId', 'SequenceId', 'EnrollmentId', 'ConnectorId', 'ErasureRequestId'] as const;
export type SearchAttributeName = (typeof SEARCH_ATTRIBUTES)[number];

export const workflowIds = {
  enrollment: (enrollmentId: string) => `enrollment-${enrollmentId}`,
  promotion: (companyId: string) => `promotion-${companyId}`,
  erasure: (erasureRequestId: string) => `erasure-${erasureRequestId}`,
  crmSync: (connectorId: string) => `crm-sync-${connectorId}`,
};
