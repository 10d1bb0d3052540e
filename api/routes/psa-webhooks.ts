import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CRM_PSA_WEBHOOK_PATH, ClientCreatedWebhook } from '../../activities/psa/psa-api';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { getPromotion } from '../../db/promotions';
import { PSA_CLIENT_CREATED_SIGNAL, type PsaClientCreatedSignal } from '../../domain/promotion/workflow-contract';
import { ApiError, errorResponseSchema } from '../errors';
import type { ApiDeps } from '../types';
import { checkPsaKey } from './psa-auth';
import { temporalUnavailable, withTemporalTimeout } from './promotion-workflow';

const uuid = z.uuid();
const webhookAck = z.object({ accepted: z.literal(true), signalled: z.boolean() });

/** The company a (possibly forged) webhook names, when it exists: a rejected call is logged on it. */
async function namedCompany(db: Db, body: unknown): Promise<string | null> {
  const id = typeof body === 'object' && body !== null ? (body as { crmCompanyId?: unknown }).crmCompanyId : undefined;
  if (!uuid.safeParse(id).success) return null;
  const row = await db.selectFrom('companies').select('id').where('id', '=', id as string).executeTakeFirst();
  return row?.id ?? null;
}

/**
 * `POST /v1/webhooks/psa`: the PSA's `client.created` confirmation, delivered to the promotion
 * workflow as the `psaClientCreated` signal. A wrong key is a 401 and an activity-log entry, so a
 * key mismatch is never silent.
 */
export async function psaWebhookRoutes(app: FastifyInstance, { db, temporal, config }: ApiDeps): Promise<void> {
  await app.register(async (scope) => {
    // Checked before the body is validated: a caller without the key learns nothing about the payload.
    scope.addHook('preValidation', async (req: FastifyRequest) => {
      const error = checkPsaKey(req, config);
      if (!error) return;
      await recordActivity(db, {
        companyId: await namedCompany(db, req.body),
        type: 'psa_webhook_rejected',
        reasonCode: 'INTEGRATION_KEY_MISMATCH',
        data: { requestId: req.id, keyPresented: req.headers.authorization !== undefined },
        actor: 'webhook:psa',
      });
      throw error;
    });

    scope.withTypeProvider<ZodTypeProvider>().post(CRM_PSA_WEBHOOK_PATH, {
      config: { public: true },
      schema: {
        tags: ['psa'],
        summary: "The PSA's client.created webhook (Authorization: Bearer <CRM_INTEGRATION_KEY>)",
        body: ClientCreatedWebhook,
        response: { 202: webhookAck, 400: errorResponseSchema, 401: errorResponseSchema, 404: errorResponseSchema, 503: errorResponseSchema },
      },
    }, async (req, reply) => {
      const { clientId, crmCompanyId } = req.body;
      const promotion = uuid.safeParse(crmCompanyId).success ? await getPromotion(db, crmCompanyId) : undefined;
      if (!promotion) throw new ApiError(404, 'PROMOTION_NOT_FOUND', `No promotion of CRM company ${crmCompanyId} is known; nothing to confirm.`);
      let signalled = true;
      try {
        await withTemporalTimeout(temporal, () => temporal.workflow.getHandle(promotion.workflow_id).signal<[PsaClientCreatedSignal]>(PSA_CLIENT_CREATED_SIGNAL, { psaClientId: clientId }));
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw temporalUnavailable(err);
        // The run already ended (e.g. PSA_CONFIRMATION_TIMEOUT): a retry will find the client active.
        signalled = false;
      }
      await recordActivity(db, {
        companyId: crmCompanyId,
        type: 'psa_webhook_received',
        data: { event: 'client.created', psaClientId: clientId, signalled, promotionStatus: promotion.status },
        actor: 'webhook:psa',
      });
      return reply.code(202).send({ accepted: true as const, signalled });
    });
  });
}
