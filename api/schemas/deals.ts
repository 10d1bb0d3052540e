import { z } from 'zod';
import type { DealTaskRow } from '../../db/deal-tables';
import { DEAL_ACTIVITY_KINDS, DEAL_STATUSES } from '../../domain/deals/vocabulary';
import type { DealView } from '../../services/deals/deals';
import type { StageHistoryEntry } from '../../services/deals/history';
import { pageQuery } from './common';

const uuid = z.uuid({ message: 'must be a UUID' });
export const dealStatus = z.enum(DEAL_STATUSES);
/** Money travels as a decimal string: a JSON number could already have lost digits. */
const amount = z.string({ message: 'must be a decimal string such as "1250.00" (not a number: numbers lose digits)' }).trim().min(1).max(40);
const calendarDate = z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' });

const dealFields = {
  name: z.string().trim().min(1).max(200),
  pipelineId: uuid,
  stageId: uuid,
  amount,
  currency: z.string().trim().min(1).max(10),
  expectedCloseDate: calendarDate,
  companyId: uuid.nullable().optional(),
  contactIds: z.array(uuid).max(100).optional(),
  /** Defaults to the caller. */
  ownerId: uuid.optional(),
};

export const createDealBody = z.strictObject(dealFields);

export const updateDealBody = z
  .strictObject({
    name: dealFields.name.optional(),
    pipelineId: uuid.optional(),
    stageId: uuid.optional(),
    amount: amount.optional(),
    currency: dealFields.currency.optional(),
    expectedCloseDate: calendarDate.optional(),
    companyId: dealFields.companyId,
    contactIds: dealFields.contactIds,
    ownerId: uuid.optional(),
    /** The version this update is based on (or the If-Match header). */
    version: z.number().int().min(1).optional(),
  })
  .refine((b) => Object.keys(b).some((k) => k !== 'version'), { message: 'at least one field is required' });

export const dealListQuery = z.strictObject({
  ...pageQuery,
  pipelineId: uuid.optional(),
  stageId: uuid.optional(),
  status: dealStatus.optional(),
  ownerId: uuid.optional(),
  companyId: uuid.optional(),
});

export const ifMatchHeaders = z.object({ 'if-match': z.string().max(100).optional() });

export const dealSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    pipelineId: z.string(),
    stageId: z.string(),
    status: dealStatus,
    amount: z.string(),
    currency: z.string(),
    expectedCloseDate: z.string(),
    closedOn: z.string().nullable(),
    companyId: z.string().nullable(),
    contactIds: z.array(z.string()),
    ownerId: z.string(),
    version: z.number(),
    stageChangedAt: z.string(),
    stageChangedBy: z.string(),
    lastActivityAt: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Deal' });

export function toDealJson({ deal, contactIds }: DealView, formatAmount: (amount: string, currency: string) => string): z.infer<typeof dealSchema> {
  return {
    id: deal.id,
    name: deal.name,
    pipelineId: deal.pipeline_id,
    stageId: deal.stage_id,
    status: deal.status,
    amount: formatAmount(deal.amount, deal.currency),
    currency: deal.currency,
    expectedCloseDate: deal.expected_close_date,
    closedOn: deal.closed_on,
    companyId: deal.company_id,
    contactIds,
    ownerId: deal.owner_id,
    version: deal.version,
    stageChangedAt: deal.stage_changed_at.toISOString(),
    stageChangedBy: deal.stage_changed_by,
    lastActivityAt: deal.last_activity_at.toISOString(),
    createdAt: deal.created_at.toISOString(),
    updatedAt: deal.updated_at.toISOString(),
  };
}

export const stageHistorySchema = z
  .object({
    id: z.string(),
    event: z.enum(['created', 'moved', 'rule_conflict']),
    fromStageId: z.string().nullable(),
    fromStageName: z.string().nullable(),
    toStageId: z.string(),
    toStageName: z.string(),
    /** A person (userId) or a rule (ruleId). For rule_conflict: the rule that did not move the deal. */
    by: z.object({ kind: z.enum(['user', 'rule']), userId: z.string().nullable().optional(), ruleId: z.string().optional() }),
    reasonCode: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    dealVersion: z.number(),
    at: z.string(),
  })
  .meta({ id: 'DealStageHistoryEntry' });

export const toStageHistoryJson = (h: StageHistoryEntry): z.infer<typeof stageHistorySchema> => ({
  id: h.id,
  event: h.event,
  fromStageId: h.from_stage_id,
  fromStageName: h.from_stage_name,
  toStageId: h.to_stage_id,
  toStageName: h.to_stage_name,
  by: h.rule_id ? { kind: 'rule', ruleId: h.rule_id } : { kind: 'user', userId: h.actor_user_id },
  reasonCode: h.reason_code,
  data: h.data,
  dealVersion: h.deal_version,
  at: h.at.toISOString(),
});

export const dealActivityBody = z.strictObject({ kind: z.enum(DEAL_ACTIVITY_KINDS) });

export const taskSchema = z
  .object({ id: z.string(), dealId: z.string(), title: z.string(), dueAt: z.string(), completedAt: z.string().nullable(), completedBy: z.string().nullable(), ruleFiringId: z.string().nullable(), createdAt: z.string() })
  .meta({ id: 'DealTask' });

export const toTaskJson = (t: DealTaskRow): z.infer<typeof taskSchema> => ({
  id: t.id,
  dealId: t.deal_id,
  title: t.title,
  dueAt: t.due_at.toISOString(),
  completedAt: t.completed_at?.toISOString() ?? null,
  completedBy: t.completed_by,
  ruleFiringId: t.firing_id,
  createdAt: t.created_at.toISOString(),
});
