import { z } from 'zod';
import { DUPLICATE_COMPANY_REASONS, type DuplicateCompanyGroup } from '../../services/companies/duplicates';
import type { CompanyMergeResult } from '../../services/companies/merge';
import { companySchema, toCompanyJson } from './companies';

export const mergeCompaniesBody = z.strictObject({
  duplicateIds: z.array(z.uuid({ message: 'must be a UUID' })).min(1).max(50),
});

export const companyMergeSchema = z
  .object({
    mergeId: z.string(),
    primaryId: z.string(),
    duplicateIds: z.array(z.string()),
    moved: z.object({ contacts: z.number(), activities: z.number(), deals: z.number(), promotions: z.number(), crmLinks: z.number(), reviewItems: z.number() }),
    domainsAdded: z.array(z.string()),
    changedFields: z.array(z.string()),
    company: companySchema,
    mergedAt: z.string(),
  })
  .meta({ id: 'CompanyMerge' });

export function toCompanyMergeJson(r: CompanyMergeResult): z.infer<typeof companyMergeSchema> {
  return { ...r, company: toCompanyJson(r.company), mergedAt: r.mergedAt.toISOString() };
}

export const duplicateCompanyGroupSchema = z
  .object({
    reason: z.enum(DUPLICATE_COMPANY_REASONS),
    key: z.string(),
    companies: z.array(z.object({ id: z.string(), name: z.string(), domains: z.array(z.string()), psaClientId: z.string().nullable() })),
  })
  .meta({ id: 'DuplicateCompanyGroup' });

export const toDuplicateGroupJson = (g: DuplicateCompanyGroup): z.infer<typeof duplicateCompanyGroupSchema> => g;
