import { z } from 'zod';

const mailEvent = z
  .strictObject({
    type: z.enum(['bounce', 'complaint', 'reply']),
    /** The Message-ID the service put on the email (with or without angle brackets). */
    messageId: z.string().trim().min(1).max(998),
    bounceType: z.enum(['hard', 'soft']).optional(),
    occurredAt: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' }).optional(),
  })
  .superRefine((e, ctx) => {
    // Guessing would be wrong either way: a soft bounce treated as hard suppresses a good address.
    if (e.type === 'bounce' && !e.bounceType) ctx.addIssue({ code: 'custom', path: ['bounceType'], message: 'required for a bounce: hard or soft' });
    if (e.type !== 'bounce' && e.bounceType) ctx.addIssue({ code: 'custom', path: ['bounceType'], message: 'only allowed for a bounce' });
  });

export const mailEventsBody = z.strictObject({ events: z.array(mailEvent).min(1).max(500) });
export type MailEvent = z.infer<typeof mailEvent>;

export const mailEventResultSchema = z.object({
  messageId: z.string(),
  type: z.enum(['bounce', 'complaint', 'reply']),
  /** applied: effects made now; duplicate: this event was already processed; ignored: unknown message id. */
  outcome: z.enum(['applied', 'duplicate', 'ignored']),
  reasonCode: z.string().nullable(),
  endedEnrollmentIds: z.array(z.string()),
});

export const mailEventsResponse = z.object({ results: z.array(mailEventResultSchema) }).meta({ id: 'MailEventsResult' });
export type MailEventResult = z.infer<typeof mailEventResultSchema>;
