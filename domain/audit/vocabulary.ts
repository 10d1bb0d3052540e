/** What an audit-log entry records: an authenticated request, or a failed authentication. */
export const AUDIT_OUTCOMES = ['ok', 'auth_failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
