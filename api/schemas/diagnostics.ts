import { z } from 'zod';
import { ENROLLMENT_STATUSES } from '../../domain/sequences/vocabulary';

export const diagnosticsQuery = z.strictObject({ sequenceId: z.uuid({ message: 'must be a UUID' }).optional() });

const ruleSchema = z
  .object({
    rule: z.string(),
    code: z.string().nullable(),
    pass: z.boolean(),
    detail: z.string(),
    /** When a deferral ends (send window, sending limits). */
    retryAt: z.string().optional(),
  })
  .meta({ id: 'DiagnosticRule' });

const enrollmentSchema = z.object({
  id: z.string(),
  status: z.enum(ENROLLMENT_STATUSES),
  waitingFor: z.array(z.string()),
  nextSendAt: z.string().nullable(),
  endedReason: z.string().nullable(),
});

export const sequenceDiagnosticsSchema = z
  .object({
    contactId: z.string(),
    sequenceId: z.string(),
    /** 'send' when an enrollment is live (what its next send would face), else 'enroll'. */
    phase: z.enum(['enroll', 'send']),
    rules: z.array(ruleSchema),
    enrollment: enrollmentSchema.nullable(),
  })
  .meta({ id: 'SequenceDiagnostics' });

export const contactDiagnosticsSchema = z.object({ contactId: z.string(), sequences: z.array(sequenceDiagnosticsSchema) }).meta({ id: 'ContactDiagnostics' });

export type SequenceDiagnosticsJson = z.infer<typeof sequenceDiagnosticsSchema>;
