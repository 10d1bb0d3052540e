import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CRM_PSA_WEBHOOK_PATH, ClientCreatedWebhook } from '../../integrations/psa/api';
import { promotionService } from '../../services/promotions/promotions';
import { errorResponseSchema } from '../errors';
import { checkPsaKey } from '../public/psa-key';
import type { ApiDeps } from '../types';

const webhookAck = z.object({ accepted: z.literal(true), signalled: z.boolean() });

/**
 * `POST /v1/webhooks/psa`: the PSA's `client.created` confirmation, delivered to the promotion
 * workflow as the `psaClientCreated` signal. A wrong key is a 401, recorded in the audit log (never on
 * the company the body names: an unauthenticated caller must not write to a customer-visible record).
 */
export async function psaWebhookRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const promotions = promotionService(deps);
  await app.register(async (scope) => {
    // Checked before the body is validated: a caller without the key learns nothing about the payload.
    scope.addHook('preValidation', async (req: FastifyRequest) => {
      const error = checkPsaKey(req, deps.config);
      if (!error) return;
      await app.access.authFailed(req);
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
      const { signalled } = await promotions.confirmClientCreated(req.body.crmCompanyId, req.body.clientId);
      return reply.code(202).send({ accepted: true as const, signalled });
    });
  });
}
