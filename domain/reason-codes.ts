/**
 * Reason codes: stable API (JSON responses, activity log, docs). Add codes; never rename them.
 * Source of truth for the rule catalogue in ../shared/RULES.md.
 */
export const ReasonCodes = {
  // Email sequences
  CONSENT_OPTED_OUT: 'The contact has opted out of email.',
  CONSENT_UNKNOWN: 'The contact has not given consent (consent is unknown).',
  SUPPRESSED: 'The address is on the suppression list.',
  SEQUENCE_PAUSED: 'The sequence is paused; enrollments wait until it is resumed.',
  SEQUENCE_DRAFT: 'The sequence is a draft and accepts no enrollments.',
  SEQUENCE_ARCHIVED: 'The sequence is archived and accepts no enrollments.',
  MAILBOX_NOT_CONNECTED: "The sequence's mailbox is not connected; enrollments wait until it is reconnected.",
  MAILBOX_SYNC_DISABLED: "Sync is disabled on the sequence's mailbox; enrollments wait until it is enabled.",
  CONTACT_BOUNCED: 'The contact has status bounced.',
  CONTACT_UNSUBSCRIBED: 'The contact has status unsubscribed.',
  CONTACT_NO_EMAIL: 'The contact has no email address.',
  ALREADY_ENROLLED: 'The contact already has a live enrollment in this sequence.',
  UNSUBSCRIBED: 'The contact unsubscribed; all their enrollments ended.',
  OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT: 'Plain-text-only email: opens cannot be tracked.',
  MAILBOX_DAILY_LIMIT: "The mailbox reached its daily sending limit; the send is deferred.",
  MAILBOX_RATE_LIMIT: "The mailbox reached its per-minute pace; the send is deferred.",
  OUTSIDE_SEND_WINDOW: "The step is due outside the sequence's send window; it waits for the next window.",
  REPLIED: 'The contact replied; the enrollment ended.',
  REPLIED_SEQUENCE_CONTINUES: 'The contact replied; the sequence is set to continue on reply, so the enrollment goes on.',
  SOFT_BOUNCE: 'A temporary delivery failure (soft bounce) was recorded; nothing else changed.',
  UNKNOWN_MESSAGE_ID: 'A mail event named a message id this service never sent; it was ignored.',
  // Email sequences: enrollment workflow and sending
  UNENROLLED: 'A user unenrolled the contact from the sequence; nothing more is sent.',
  ENROLLMENT_PAUSED: 'A user paused this enrollment; it waits until resumed.',
  STEP_REMOVED: 'The step was removed from the sequence before this enrollment reached it; it is skipped.',
  STEP_PASSED: 'The step was added before the point this enrollment had already reached; it is skipped.',
  SEND_UNCERTAIN: 'The send was handed to the mailbox but never confirmed (e.g. a crash or timeout mid-send); it is not sent again.',
  MAILBOX_SEND_FAILED: 'The mailbox refused the message permanently (credentials, permissions or message rejected); the enrollment ended.',
  MAILBOX_UNAVAILABLE: 'The mailbox server could not take the message right now (nothing was sent); the send is retried later.',
  MAILBOX_CREDENTIALS_UNREADABLE: 'The worker cannot decrypt the mailbox credentials (SECRETS_KEY missing, or not the key they were stored with); nothing was sent, the send is retried later.',
  CONTACT_DELETED: 'The contact was deleted; its enrollments ended.',
  WORKFLOW_START_FAILED: 'The enrollment workflow could not be started; nothing was sent. Retry the enrollment.',
  // Promotion
  PROMOTION_INCOMPLETE: 'The promotion did not complete; see its failed step.',
  PSA_CONFIRMATION_TIMEOUT: 'The PSA did not confirm the new client in time.',
  INTEGRATION_KEY_MISMATCH: 'The integration keys of the CRM and the PSA do not match.',
  PSA_UNREACHABLE: 'The PSA API is unreachable; the step is retrying with backoff.',
  // Operations
  WORKFLOW_STOPPED: 'The workflow was stopped in Temporal (terminated, cancelled, timed out or failed), not through the CRM; it was recorded as ended. Enroll the contact again or retry the promotion.',
  // GDPR erasure
  ACTIVE_SEQUENCES: 'The contact had live sequence enrollments; erasure stopped them first.',
  FINANCIAL_RECORDS_RETAINED: 'Financial records are retained (legal obligation); personal data was removed.',
  ERASED: 'The address was erased; it stays suppressed by a keyed hash.',
} as const;

export type ReasonCode = keyof typeof ReasonCodes;

export function isReasonCode(value: string): value is ReasonCode {
  return Object.prototype.hasOwnProperty.call(ReasonCodes, value);
}
