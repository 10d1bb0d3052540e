/** Sequence, enrollment, outbox and mailbox vocabularies: the one source for types, zod enums and SQL CHECKs. */
export const SEQUENCE_STATUSES = ['draft', 'active', 'paused', 'archived'] as const;
export type SequenceStatus = (typeof SEQUENCE_STATUSES)[number];

export const ENROLLMENT_STATUSES = ['active', 'waiting', 'paused', 'completed', 'ended'] as const;
export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number];

/** Statuses of an enrollment whose workflow may still send (the one-live-per-sequence unique index uses them). */
export const LIVE_ENROLLMENT_STATUSES = ['active', 'waiting', 'paused'] as const satisfies readonly EnrollmentStatus[];
export type LiveEnrollmentStatus = (typeof LIVE_ENROLLMENT_STATUSES)[number];

export function isLiveEnrollment(status: EnrollmentStatus): status is LiveEnrollmentStatus {
  return (LIVE_ENROLLMENT_STATUSES as readonly EnrollmentStatus[]).includes(status);
}

export const SEND_STATUSES = ['pending', 'claimed', 'sent', 'uncertain', 'blocked', 'skipped'] as const;
export type SendStatus = (typeof SEND_STATUSES)[number];

export const MAILBOX_PROVIDERS = ['smtp', 'm365'] as const;
export type MailboxProvider = (typeof MAILBOX_PROVIDERS)[number];

export const SEND_COUNTER_WINDOWS = ['day', 'minute'] as const;
export type SendCounterWindow = (typeof SEND_COUNTER_WINDOWS)[number];
