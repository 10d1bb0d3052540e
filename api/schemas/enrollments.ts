import { z } from 'zod';

export const MAX_CONTACTS_PER_REQUEST = 1000;

export const enrollBody = z.strictObject({
  contactIds: z
    .array(z.uuid({ message: 'must be a UUID' }))
    .min(1, 'at least one contact id is required')
    .max(MAX_CONTACTS_PER_REQUEST, `at most ${MAX_CONTACTS_PER_REQUEST} contacts per request`)
    .refine((ids) => new Set(ids).size === ids.length, 'contact ids must be unique'),
});

export const enrollResultSchema = z.object({
  contactId: z.string(),
  status: z.enum(['enrolled', 'rejected']),
  enrollmentId: z.string().optional(),
  /** Rejected: every failing rule's code. Enrolled: the holds it starts with (e.g. MAILBOX_NOT_CONNECTED). */
  reasons: z.array(z.string()),
});

export const enrollResponseSchema = z.object({ results: z.array(enrollResultSchema) }).meta({ id: 'EnrollResults' });

export const enrollmentSchema = z
  .object({
    id: z.string(),
    contactId: z.string(),
    sequenceId: z.string(),
    status: z.enum(['active', 'waiting', 'paused', 'completed', 'ended']),
    endedReason: z.string().optional(),
    currentStepId: z.string().nullable(),
    nextSendAt: z.string().optional(),
    waitingFor: z.array(z.string()),
    steps: z.array(
      z.object({
        id: z.string(),
        status: z.enum(['pending', 'sent', 'deferred', 'skipped', 'uncertain']),
        sentAt: z.string().optional(),
        reasons: z.array(z.string()),
      }),
    ),
    createdAt: z.string(),
  })
  .meta({ id: 'Enrollment' });

export const enrollmentListSchema = z.object({ items: z.array(enrollmentSchema) });
