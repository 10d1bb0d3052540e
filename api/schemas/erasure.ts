import { z } from 'zod';
import { ERASURE_STATUSES, ERASURE_STEP_STATUSES, ERASURE_STEPS, ERASURE_SYSTEMS, ERASURE_SYSTEM_STATUSES, RECEIPT_KINDS } from '../../domain/erasure/vocabulary';
import { pageQuery } from './common';
import { emailAddress } from './strings';

export const createErasureBody = z
  .strictObject({
    contactId: z.uuid({ message: 'must be a UUID' }).optional(),
    email: emailAddress('ada@example.com').optional(),
    jurisdiction: z.string().trim().toUpperCase().regex(/^[A-Z]{2,3}$/, 'must be a jurisdiction code such as DE, UK or EU').optional(),
    receivedAt: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time such as 2025-03-01T09:00:00Z' }).optional(),
    reference: z.string().trim().min(1).max(100).optional().describe('A ticket number; no personal data (an address is refused)'),
  })
  .superRefine((b, ctx) => {
    if ((b.contactId === undefined) === (b.email === undefined)) ctx.addIssue({ code: 'custom', path: ['contactId'], message: 'give exactly one of contactId or email' });
  });

export const extendErasureBody = z.strictObject({
  reason: z.string().trim().min(3, 'say why the request is complex (at least 3 characters)').max(500),
  months: z.number().int().min(1).max(2).optional().describe('1 or 2 (default 2)'),
});

export const erasureListQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(ERASURE_STATUSES).optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});

const step = z.object({ name: z.enum(ERASURE_STEPS), status: z.enum(ERASURE_STEP_STATUSES), startedAt: z.string().optional(), endedAt: z.string().optional(), code: z.string().optional(), detail: z.string().optional() });
const system = z.object({ system: z.enum(ERASURE_SYSTEMS), status: z.enum(ERASURE_SYSTEM_STATUSES), code: z.string().optional(), detail: z.string().optional() });
const retained = z.object({
  system: z.string(),
  kind: z.string(),
  reference: z.string(),
  amount: z.string().optional(),
  currency: z.string().optional(),
  issuedAt: z.string().optional(),
  legalBasis: z.string(),
  retainUntil: z.string(),
  removedAt: z.string().optional(),
});

export const erasureRequestSchema = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    status: z.enum(ERASURE_STATUSES),
    code: z.string().optional(),
    subject: z.object({ kind: z.enum(['contact', 'email']), contactId: z.string().optional(), contacts: z.number().int() }),
    jurisdiction: z.string(),
    reference: z.string().optional(),
    receivedAt: z.string(),
    dueAt: z.string(),
    extendedUntil: z.string().optional(),
    overdue: z.boolean(),
    steps: z.array(step),
    systems: z.array(system),
    retained: z.array(retained),
    createdAt: z.string(),
    completedAt: z.string().optional(),
  })
  .meta({ id: 'ErasureRequest' });

const receipt = z.object({ seq: z.string(), requestId: z.string(), kind: z.enum(RECEIPT_KINDS), body: z.record(z.string(), z.unknown()), prevHash: z.string(), hash: z.string(), createdAt: z.string() });

export const erasureReceiptSchema = receipt.extend({ followUps: z.array(receipt).describe('Later receipts of the same request (retention_end)') }).meta({ id: 'ErasureReceipt' });

export const receiptChainSchema = z
  .object({
    ok: z.boolean(),
    receipts: z.number().int(),
    lastHash: z.string().optional(),
    brokenAt: z.object({ seq: z.string(), requestId: z.string(), problem: z.enum(['hash_mismatch', 'previous_hash_mismatch']) }).optional(),
    message: z.string(),
  })
  .meta({ id: 'ErasureReceiptChain' });
