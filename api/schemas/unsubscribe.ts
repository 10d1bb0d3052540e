import { z } from 'zod';

export const unsubscribeResultSchema = z
  .object({
    contactId: z.string(),
    status: z.literal('unsubscribed'),
    /** 'unchanged': the contact was already unsubscribed, suppressed and had no live enrollment. */
    outcome: z.enum(['applied', 'unchanged']),
    /** False only when the contact has no email address to put on the suppression list. */
    suppressed: z.boolean(),
    endedEnrollmentIds: z.array(z.string()),
  })
  .meta({ id: 'UnsubscribeResult' });

/** JSON for mail clients; browsers (Accept: text/html) get a confirmation page instead. */
export const oneClickResultSchema = z.object({ unsubscribed: z.literal(true) }).meta({ id: 'OneClickUnsubscribeResult' }).or(z.string().describe('HTML confirmation page'));
