/** Contact vocabularies: the one source for types, zod enums and the SQL CHECK constraints (a test compares them). */
export const CONTACT_STATUSES = ['active', 'inactive', 'bounced', 'unsubscribed'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export const CONSENTS = ['opted_in', 'opted_out', 'unknown'] as const;
export type Consent = (typeof CONSENTS)[number];
