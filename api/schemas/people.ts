import { z } from 'zod';
import { MATCH_BRANCHES, MATCH_STEP_RESULTS, RESOLVE_SOURCES } from '../../domain/matching/vocabulary';
import { emailAddress } from './strings';

export const resolvePersonBody = z.strictObject({
  email: emailAddress('new@acme-other.example'),
  firstName: z.string().trim().max(200).nullable().optional(),
  lastName: z.string().trim().max(200).nullable().optional(),
  source: z.enum(RESOLVE_SOURCES),
});

const outcome = z.enum([...MATCH_BRANCHES, 'FREE_MAIL_DOMAIN']);

export const resolvePersonSchema = z
  .object({
    outcome: outcome.meta({ description: 'The branch that matched (its reason code), or FREE_MAIL_DOMAIN: a contact without a company.' }),
    contact: z.object({ id: z.string(), companyId: z.string().nullable(), created: z.boolean() }),
    company: z
      .object({
        id: z.string(),
        created: z.boolean(),
        domains: z.array(z.string()),
        domainsAdded: z.array(z.string()),
        crmLink: z.object({ connectorId: z.string(), object: z.literal('Account'), externalId: z.string() }).nullable(),
      })
      .nullable(),
    created: z.array(z.enum(['contact', 'company', 'crm_link'])),
    steps: z.array(
      z.object({
        branch: z.enum(MATCH_BRANCHES),
        result: z.enum(MATCH_STEP_RESULTS),
        code: z.string().optional(),
        detail: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'PersonResolution' });
