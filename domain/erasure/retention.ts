/**
 * How long financial records must be kept, by jurisdiction (the table erasure's check_books step uses
 * for `retainUntil`). Defaults:
 *  - DE: 8 years from the end of the calendar year of the invoice (HGB §257, AO §147 as amended in 2025);
 *  - UK: 6 years from the invoice's issue date (HMRC VAT record keeping);
 *  - EU: 10 years from the issue date (the default for any other jurisdiction).
 * ERASURE_RETENTION_RULES (JSON, same shape) overrides or adds entries.
 */
import { UTCDate } from '@date-fns/utc';
import { addYears } from 'date-fns';
import { z } from 'zod';

export const RETENTION_START = ['issue_date', 'end_of_year'] as const;

export const retentionRuleSchema = z.strictObject({
  years: z.number().int().min(1).max(30),
  from: z.enum(RETENTION_START),
  legalBasis: z.string().min(1).max(300),
});
export type RetentionRule = z.infer<typeof retentionRuleSchema>;
export const retentionRulesSchema = z.record(z.string().regex(/^[A-Z]{2,3}$/, 'keys are jurisdiction codes such as DE'), retentionRuleSchema);
export type RetentionRules = Record<string, RetentionRule>;

/** Used for any jurisdiction the table does not name. */
export const DEFAULT_JURISDICTION = 'EU';

export const DEFAULT_RETENTION_RULES: RetentionRules = {
  DE: { years: 8, from: 'end_of_year', legalBasis: 'GDPR Art. 17(3)(b); HGB §257 and AO §147 (as amended in 2025): invoices kept 8 years from the end of the calendar year of issue' },
  UK: { years: 6, from: 'issue_date', legalBasis: 'GDPR Art. 17(3)(b); HMRC VAT record keeping: invoices kept 6 years' },
  EU: { years: 10, from: 'issue_date', legalBasis: 'GDPR Art. 17(3)(b); legal obligation to keep accounting records (default: 10 years)' },
};

/** GB is the ISO code of the United Kingdom; UK is what people type. */
const ALIASES: Record<string, string> = { GB: 'UK' };

export function ruleFor(rules: RetentionRules, jurisdiction: string | null | undefined): { jurisdiction: string; rule: RetentionRule } {
  const wanted = jurisdiction ? (ALIASES[jurisdiction.toUpperCase()] ?? jurisdiction.toUpperCase()) : DEFAULT_JURISDICTION;
  const rule = rules[wanted];
  if (rule) return { jurisdiction: wanted, rule };
  return { jurisdiction: DEFAULT_JURISDICTION, rule: rules[DEFAULT_JURISDICTION] ?? DEFAULT_RETENTION_RULES.EU! };
}

/**
 * The last day the record must be kept (YYYY-MM-DD, inclusive). From the issue date: the same calendar
 * day N years later (29 February → 28 February). From the end of the year: 31 December of year + N.
 */
export function retainUntil(issuedAt: string, rule: RetentionRule): string {
  const issued = new UTCDate(`${issuedAt}T00:00:00Z`);
  if (Number.isNaN(issued.getTime())) throw new RangeError(`not a date: ${issuedAt}`);
  if (rule.from === 'end_of_year') return `${issued.getUTCFullYear() + rule.years}-12-31`;
  return new Date(addYears(issued, rule.years).getTime()).toISOString().slice(0, 10);
}

/** Parses ERASURE_RETENTION_RULES and lays it over the defaults. */
export function mergeRetentionRules(overrides: RetentionRules | undefined): RetentionRules {
  return { ...DEFAULT_RETENTION_RULES, ...(overrides ?? {}) };
}
