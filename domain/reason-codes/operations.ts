/** Codes about how workflows are run and operated. */
export const OPERATIONS_CODES = {
  WORKFLOW_STOPPED: 'The workflow was stopped in Temporal (terminated, cancelled, timed out or failed), not through the CRM; it was recorded as ended. Enroll the contact again or retry the promotion.',
} as const;
