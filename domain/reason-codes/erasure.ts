/** GDPR erasure codes (RULES.md "GDPR erasure"). */
export const ERASURE_CODES = {
  ACTIVE_SEQUENCES: 'The contact had live sequence enrollments; erasure stopped them first.',
  FINANCIAL_RECORDS_RETAINED: 'Financial records are retained (legal obligation); personal data was removed.',
  ERASED: 'The subject was erased (GDPR); the address stays suppressed by a keyed hash and cannot be used again.',
} as const;
