import { z } from 'zod';
import type { CompanyRow } from '../../db/schema';
import { COMPANY_STATUSES } from '../../domain/companies/vocabulary';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const companyStatus = z.enum(COMPANY_STATUSES);

const domains = z
  .array(z.string().trim().toLowerCase().regex(DOMAIN, { message: 'must be a domain name such as example.com' }))
  .max(50)
  .transform((list) => [...new Set(list)]);

export const createCompanyBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  domains: domains.optional(),
  status: companyStatus.optional(),
  type: z.string().trim().min(1).max(100).nullable().optional(),
});

export const updateCompanyBody = createCompanyBody.partial().refine((b) => Object.keys(b).length > 0, { message: 'at least one field is required' });

export const companyListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  status: companyStatus.optional(),
  domain: z.string().trim().toLowerCase().optional(),
});

export const companySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    domains: z.array(z.string()),
    status: companyStatus,
    type: z.string().nullable(),
    psaClientId: z.string().nullable(),
    externalIds: z.record(z.string(), z.string()),
    /** Set on a merged duplicate (a tombstone): the company it was merged into. */
    mergedInto: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Company' });

export type CompanyJson = z.infer<typeof companySchema>;

export function toCompanyJson(row: CompanyRow): CompanyJson {
  return {
    id: row.id,
    name: row.name,
    domains: row.domains,
    status: row.status,
    type: row.type,
    psaClientId: row.psa_client_id,
    externalIds: row.external_ids,
    mergedInto: row.merged_into,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
