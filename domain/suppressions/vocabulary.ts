/** Why an address is suppressed. `erased` entries hold only a keyed hash of the address (GDPR erasure). */
export const SUPPRESSION_REASONS = ['bounced', 'complained', 'manual', 'unsubscribed', 'erased'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** Reasons a user may add by hand through the API; the others are written by the events they name. */
export const MANUAL_SUPPRESSION_REASONS = ['manual', 'bounced', 'complained', 'unsubscribed'] as const satisfies readonly SuppressionReason[];
