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

/** Workflow type names (the exported function names in workflows/). */
export const ENROLLMENT_WORKFLOW_TYPE = 'enrollmentWorkflow';
export const RECONCILE_WORKFLOW_TYPE = 'reconcileStoppedWorkflowsWorkflow';

/** The Temporal Schedule that runs the reconciliation of workflows stopped outside the CRM. */
export const RECONCILE_SCHEDULE_ID = 'reconcile-stopped-workflows';
/** Actor of the activity-log entries the reconciliation writes. */
export const RECONCILER_ACTOR = `schedule:${RECONCILE_SCHEDULE_ID}`;
