import { z } from 'zod';
import type { ContactRow } from '../../db/schema';
import { CONSENTS, CONTACT_STATUSES } from '../../domain/contacts/vocabulary';
import { emailAddress, ianaTimeZone } from './strings';

/** IANA zone names only: the send window is evaluated in the contact's zone. */
export const timeZoneSchema = ianaTimeZone;

export const contactStatus = z.enum(CONTACT_STATUSES);
export const consent = z.enum(CONSENTS);

const email = emailAddress('ada@example.com');

export const createContactBody = z.strictObject({
  email: email.nullable().optional(),
  firstName: z.string().trim().max(200).nullable().optional(),
  lastName: z.string().trim().max(200).nullable().optional(),
  companyId: z.uuid({ message: 'must be a UUID' }).nullable().optional(),
  status: contactStatus.optional(),
  consent: consent.optional(),
  timeZone: timeZoneSchema.nullable().optional(),
  ownerId: z.uuid({ message: 'must be a UUID' }).nullable().optional(),
});

export const updateContactBody = createContactBody.partial().refine((b) => Object.keys(b).length > 0, { message: 'at least one field is required' });

export const contactListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  companyId: z.uuid().optional(),
  status: contactStatus.optional(),
  email: z.string().trim().max(254).optional(),
});

export const contactSchema = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    companyId: z.string().nullable(),
    status: contactStatus,
    consent,
    timeZone: z.string().nullable(),
    ownerId: z.string().nullable(),
    /** Set when this contact was merged into another one (a tombstone): the primary's id. */
    mergedInto: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Contact' });

export type ContactJson = z.infer<typeof contactSchema>;

export function toContactJson(row: ContactRow): ContactJson {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    companyId: row.company_id,
    status: row.status,
    consent: row.consent,
    timeZone: row.time_zone,
    ownerId: row.owner_id,
    mergedInto: row.merged_into ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
