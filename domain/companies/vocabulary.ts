/** Company vocabularies: the one source for types, zod enums and the SQL CHECK constraints. */
export const COMPANY_STATUSES = ['prospect', 'active', 'customer', 'inactive'] as const;
export type CompanyStatus = (typeof COMPANY_STATUSES)[number];
