import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PROMOTION_STATES, PROMOTION_STEPS, STEP_STATUSES } from '../../domain/promotion/steps';
import { promotionService } from '../../services/promotions/promotions';
import { actorOf } from '../actor';
import { errorResponseSchema, standardErrors } from '../errors';
import { idParams } from '../schemas/common';
import type { ApiDeps } from '../types';

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

export function promotionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const promotions = promotionService(deps);

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
    const { view, created } = await promotions.promote(req.params.id, actorOf(req));
    return reply.code(created ? 202 : 200).send(view);
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
  }, async (req, reply) => reply.code(202).send(await promotions.retry(req.params.id, actorOf(req))));

  r.get('/v1/companies/:id/promotion', {
    config: { permission: 'promotions:read' },
    schema: { tags: ['promotions'], summary: "The company's promotion: status, each step with its reason code, synced and skipped contacts", params: idParams, response: { 200: promotionSchema, ...errors } },
  }, async (req) => promotions.get(req.params.id));
}
