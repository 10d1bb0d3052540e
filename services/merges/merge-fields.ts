/**
 * The primary's values after a merge: a field the caller chose (`fields: { lastName: <contactId> }`)
 * comes from that contact; otherwise the primary's value, or — when the primary has none — the first
 * duplicate's that has one. Consent and status err on the side of not emailing: an opted-out or
 * unsubscribed duplicate makes the merged contact so, unless the caller chose otherwise.
 */
import type { ContactRow } from '../../db/schema';
import type { MergeableField } from '../../domain/duplicates/vocabulary';

export interface MergedValues {
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  company_id: string | null;
  time_zone: string | null;
  consent: ContactRow['consent'];
  status: ContactRow['status'];
  owner_id: string | null;
  external_ids: Record<string, string>;
}

const COLUMN: Record<MergeableField, keyof MergedValues> = {
  email: 'email',
  firstName: 'first_name',
  lastName: 'last_name',
  companyId: 'company_id',
  timeZone: 'time_zone',
  consent: 'consent',
  status: 'status',
  ownerId: 'owner_id',
};

export function mergedValues(primary: ContactRow, duplicates: readonly ContactRow[], chosen: Partial<Record<MergeableField, string>>): MergedValues {
  const all = [primary, ...duplicates];
  const byId = new Map(all.map((c) => [c.id, c]));
  const out: MergedValues = {
    email: primary.email,
    first_name: primary.first_name,
    last_name: primary.last_name,
    company_id: primary.company_id,
    time_zone: primary.time_zone,
    consent: primary.consent,
    status: primary.status,
    owner_id: primary.owner_id,
    // The primary's links win a conflict; the duplicates' other links (CRM, PSA) move to it.
    external_ids: Object.assign({}, ...[...duplicates].reverse().map((d) => d.external_ids), primary.external_ids) as Record<string, string>,
  };
  for (const [field, column] of Object.entries(COLUMN) as [MergeableField, keyof MergedValues][]) {
    const from = chosen[field];
    if (from !== undefined) {
      (out as unknown as Record<string, unknown>)[column] = byId.get(from)![column as keyof ContactRow];
      continue;
    }
    if (field === 'consent' && all.some((c) => c.consent === 'opted_out')) out.consent = 'opted_out';
    else if (field === 'status' && all.some((c) => c.status === 'unsubscribed')) out.status = 'unsubscribed';
    else if (out[column] === null) {
      const donor = duplicates.find((d) => d[column as keyof ContactRow] !== null);
      if (donor) (out as unknown as Record<string, unknown>)[column] = donor[column as keyof ContactRow];
    }
  }
  return out;
}
