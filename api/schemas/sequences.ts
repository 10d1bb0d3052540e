import { z } from 'zod';
import type { SequenceRow, SequenceStepRow as StepRow } from '../../db/schema';
import { parseIsoDuration } from '../../domain/duration';
import { sendWindowSchema, type SendWindow } from '../../domain/sequences/send-window';
import { validateTemplate } from '../../domain/sequences/template';
import { SEQUENCE_STATUSES } from '../../domain/sequences/vocabulary';
import { timeZoneSchema } from './contacts';


/** Unknown or malformed tokens are a 400 at save time, naming the field, never a broken email. */
const template = (max: number) =>
  z
    .string()
    .max(max)
    .superRefine((text, ctx) => {
      const result = validateTemplate(text);
      if (!result.ok) for (const e of result.errors) ctx.addIssue({ code: 'custom', message: e.message });
    });

const delay = z
  .string()
  .trim()
  .max(50)
  .superRefine((text, ctx) => {
    const parsed = parseIsoDuration(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
  });

export const stepInput = z
  .strictObject({
    /** Stable id: pass it back on edit to keep the step (and enrollments' progress through it). */
    id: z.uuid({ message: 'must be a UUID' }).optional(),
    subject: template(998)
      .refine((v) => v.trim() !== '', 'must not be empty')
      .refine((v) => !/[\r\n]/.test(v), 'must be a single line'),
    html: template(500_000).nullable().optional(),
    text: template(500_000).nullable().optional(),
    delay,
  })
  .superRefine((s, ctx) => {
    if (!s.html && !s.text) ctx.addIssue({ code: 'custom', path: ['text'], message: 'a step needs html or text (or both)' });
  });

const steps = z
  .array(stepInput)
  .min(1, 'a sequence needs at least one step')
  .max(50)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      if (!s.id) return;
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: 'duplicate step id' });
      seen.add(s.id);
    });
  });

/** null = send at any time; absent = the default (business days 08:00–18:00). */
const sendWindow = sendWindowSchema.nullable();

export const createSequenceBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  mailboxId: z.uuid({ message: 'must be a UUID' }),
  steps,
  sendWindow: sendWindow.optional(),
  /** Fallback for contacts without a time zone. */
  timeZone: timeZoneSchema.optional(),
  unenrollOnReply: z.boolean().optional(),
});

export const updateSequenceBody = z
  .strictObject({
    name: createSequenceBody.shape.name.optional(),
    mailboxId: createSequenceBody.shape.mailboxId.optional(),
    steps: steps.optional(),
    sendWindow: sendWindow.optional(),
    timeZone: timeZoneSchema.optional(),
    unenrollOnReply: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field is required' });

export type StepInput = z.infer<typeof stepInput>;
export type CreateSequenceBody = z.infer<typeof createSequenceBody>;
export type UpdateSequenceBody = z.infer<typeof updateSequenceBody>;

const sendWindowJson = z.object({ days: z.array(z.number()), start: z.string(), end: z.string(), holidays: z.array(z.string()).optional() });

export const stepSchema = z.object({
  id: z.string(),
  position: z.number(),
  subject: z.string(),
  html: z.string().nullable(),
  text: z.string().nullable(),
  delay: z.string(),
  delayMs: z.number(),
});

export const sequenceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    mailboxId: z.string(),
    status: z.enum(SEQUENCE_STATUSES),
    sendWindow: sendWindowJson.nullable(),
    timeZone: z.string(),
    unenrollOnReply: z.boolean(),
    steps: z.array(stepSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Sequence' });

export type SequenceJson = z.infer<typeof sequenceSchema>;

export function toSequenceJson(row: SequenceRow, stepRows: StepRow[]): SequenceJson {
  return {
    id: row.id,
    name: row.name,
    mailboxId: row.mailbox_id,
    status: row.status,
    sendWindow: row.send_window as SendWindow | null,
    timeZone: row.time_zone,
    unenrollOnReply: row.unenroll_on_reply,
    steps: stepRows
      .filter((s) => s.removed_at === null)
      .sort((a, b) => a.position - b.position)
      .map((s) => ({ id: s.id, position: s.position, subject: s.subject, html: s.html, text: s.text, delay: s.delay, delayMs: Number(s.delay_ms) })),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
