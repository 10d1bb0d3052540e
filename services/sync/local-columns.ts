/**
 * The sync's field keys (domain/sync/local-plan.ts) ↔ the columns of contacts and companies: what the
 * loop reads as a local record's values and how a plan's values are written. Shared by the loop
 * (apply-records.ts) and account matching (services/matching/crm-company-link.ts), so a company matched
 * from a CRM account is written exactly as the loop would write it.
 */
import { normalizeEmail } from '../../domain/email-address';
import type { LocalValues } from '../../domain/sync/local-plan';

export function contactValues(r: { email: string | null; first_name: string | null; last_name: string | null; company_id: string | null; consent: string; status: string; address: unknown; custom_fields: Record<string, unknown> }): LocalValues {
  const v: LocalValues = { email: r.email, firstName: r.first_name, lastName: r.last_name, companyId: r.company_id, consent: r.consent, status: r.status, address: (r.address as Record<string, string | null> | null) ?? null };
  for (const [k, val] of Object.entries(r.custom_fields ?? {})) v[`custom.${k}`] = typeof val === 'string' ? val : val === null ? null : String(val);
  return v;
}

export function companyValues(r: { name: string; domains: string[]; type: string | null; address: unknown; custom_fields: Record<string, unknown> }): LocalValues {
  const v: LocalValues = { name: r.name, domains: [...r.domains].sort(), type: r.type, address: (r.address as Record<string, string | null> | null) ?? null };
  for (const [k, val] of Object.entries(r.custom_fields ?? {})) v[`custom.${k}`] = typeof val === 'string' ? val : val === null ? null : String(val);
  return v;
}

/** Local values → column values; custom fields merged into the row's current custom_fields. */
export function columnsOf(kind: 'company' | 'contact', set: LocalValues, currentCustom: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const custom: Record<string, unknown> = { ...currentCustom };
  let customChanged = false;
  for (const [field, value] of Object.entries(set)) {
    if (field.startsWith('custom.')) {
      custom[field.slice('custom.'.length)] = value;
      customChanged = true;
    } else if (field === 'address') out.address = value === null ? null : JSON.stringify(value);
    else if (kind === 'contact') {
      if (field === 'email') {
        out.email = value;
        out.email_normalized = typeof value === 'string' ? normalizeEmail(value) : null;
      } else if (field === 'firstName') out.first_name = value;
      else if (field === 'lastName') out.last_name = value;
      else if (field === 'companyId') out.company_id = value;
      else if (field === 'consent') out.consent = value;
      else if (field === 'status') out.status = value;
    } else if (field === 'name') out.name = value !== null && String(value).trim() ? String(value).slice(0, 200) : '(no name in the CRM)';
    else if (field === 'domains') out.domains = value;
    else if (field === 'type') out.type = value;
  }
  if (customChanged) out.custom_fields = JSON.stringify(custom);
  return out;
}
