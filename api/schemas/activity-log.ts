import { z } from 'zod';
import type { ActivityRow } from '../../db/schema';

export const activitySchema = z
  .object({
    id: z.string(),
    type: z.string(),
    reasonCode: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    actor: z.string(),
    contactId: z.string().nullable(),
    companyId: z.string().nullable(),
    occurredAt: z.string(),
  })
  .meta({ id: 'Activity' });

export const toActivityJson = (a: ActivityRow): z.infer<typeof activitySchema> => ({
  id: a.id,
  type: a.type,
  reasonCode: a.reason_code,
  data: a.data,
  actor: a.actor,
  contactId: a.contact_id,
  companyId: a.company_id,
  occurredAt: a.occurred_at.toISOString(),
});
