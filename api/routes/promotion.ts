import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { beginAttempt, createPromotion, getPromotion, toPromotionView } from '../../db/promotions';
import { PROMOTION_STATES, PROMOTION_STEPS, STEP_STATUSES } from '../../domain/promotion/steps';
import { ApiError, conflict, errorResponseSchema, notFound, standardErrors } from '../errors';
import { idParams } from '../schemas/common';
import type { ApiDeps } from '../types';
import { promotionStarter } from './promotion-workflow';

const errors = standardErrors;
const writeErrors = { ...errors, 409: errorResponseSchema, 503: errorResponseSchema };

const stepSchema = z.object({
  name: z.enum(PROMOTION_STEPS),
  status: z.enum(STEP_STATUSES),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  code: z.string().optional(),
  detail: z.string().optional(),
});

export const promotionSchema = z
  .object({
    companyId: z.string(),
    workflowId: z.string(),
    attempt: z.number().int(),
    status: z.enum(PROMOTION_STATES),
    psaClientId: z.string().optional(),
    failedStep: z.enum(PROMOTION_STEPS).optional(),
    code: z.string().optional(),
    message: z.string().optional(),
    steps: z.array(stepSchema),
    contacts: z.object({ synced: z.number().int(), skipped: z.array(z.object({ contactId: z.string(), code: z.string() })) }),
    startedAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'Promotion' });

/** The endpoints take no body; a stray field is named rather than ignored. */
const noBody = z.strictObject({}).nullish();

async function requireCompany(db: Db, id: string): Promise<void> {
  const company = await db.selectFrom('companies').select('id').where('id', '=', id).executeTakeFirst();
  if (!company) throw notFound('Company', id);
}

export function promotionRoutes(app: FastifyInstance, { db, temporal, config }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const workflows = promotionStarter(temporal, config);
  const actor = (userId?: string) => `user:${userId ?? 'unknown'}`;
  const view = async (companyId: string) => {
    const row = await getPromotion(db, companyId);
    if (!row) throw new Error(`promotion of company ${companyId} disappeared`);
    return toPromotionView(row);
  };

  r.post('/v1/companies/:id/promote', {
    config: { permission: 'promotions:write', auditEntity: 'promotion' },
    schema: {
      tags: ['promotions'],
      summary: 'Promote a company to a PSA client (202 started; 200 the existing promotion, running or finished)',
      params: idParams,
      body: noBody,
      response: { 200: promotionSchema, 202: promotionSchema, ...writeErrors },
    },
  }, async (req, reply) => {
    const companyId = req.params.id;
    await requireCompany(db, companyId);
    const { row, created } = await createPromotion(db, companyId);
    if (created) await recordActivity(db, { companyId, type: 'promotion_requested', data: { workflowId: row.workflow_id }, actor: actor(req.principal?.userId) });
    // Also for an existing unfinished row: a start lost to a Temporal outage happens now, a live run is left alone.
    if (row.status === 'running' || row.status === 'waiting_for_psa') await workflows.ensureStarted(companyId, row.attempt);
    return reply.code(created ? 202 : 200).send(await view(companyId));
  });

  r.post('/v1/companies/:id/promotion/retry', {
    config: { permission: 'promotions:write', auditEntity: 'promotion' },
    schema: {
      tags: ['promotions'],
      summary: 'Resume a failed promotion (e.g. after PSA_CONFIRMATION_TIMEOUT): a new run; steps already done are not repeated in effect',
      params: idParams,
      body: noBody,
      response: { 202: promotionSchema, ...writeErrors },
    },
  }, async (req, reply) => {
    const companyId = req.params.id;
    const row = await getPromotion(db, companyId);
    if (!row) throw await noPromotion(db, companyId);
    if (row.status === 'completed') throw conflict('PROMOTION_COMPLETED', 'The promotion already completed; there is nothing to retry.');
    // A row still "running" whose run is gone (terminated by an operator) may be retried too.
    const inProgress = () => conflict('PROMOTION_IN_PROGRESS', `The promotion is still ${row.status === 'waiting_for_psa' ? 'waiting for the PSA' : 'running'}; retry only a failed promotion.`);
    if (row.status !== 'failed' && (await workflows.isRunning(companyId))) throw inProgress();
    const attempt = row.attempt + 1;
    if (!(await workflows.startRetry(companyId, attempt))) throw inProgress();
    await beginAttempt(db, companyId, attempt);
    await recordActivity(db, { companyId, type: 'promotion_retry_requested', data: { attempt, previousCode: row.code, previousFailedStep: row.failed_step }, actor: actor(req.principal?.userId) });
    return reply.code(202).send(await view(companyId));
  });

  r.get('/v1/companies/:id/promotion', {
    config: { permission: 'promotions:read' },
    schema: { tags: ['promotions'], summary: "The company's promotion: status, each step with its reason code, synced and skipped contacts", params: idParams, response: { 200: promotionSchema, ...errors } },
  }, async (req) => {
    const row = await getPromotion(db, req.params.id);
    if (!row) throw await noPromotion(db, req.params.id);
    return toPromotionView(row);
  });
}

async function noPromotion(db: Db, companyId: string): Promise<ApiError> {
  await requireCompany(db, companyId);
  return new ApiError(404, 'PROMOTION_NOT_FOUND', `Company ${companyId} has not been promoted; POST /v1/companies/${companyId}/promote starts its promotion.`);
}
