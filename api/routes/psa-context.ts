import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { psaClientContext } from '../../services/psa/client-context';
import { errorResponseSchema } from '../errors';
import { checkPsaKey } from '../public/psa-key';
import { activitySchema, toActivityJson } from '../schemas/activity-log';
import { companySchema, toCompanyJson } from '../schemas/companies';
import { contactSchema, toContactJson } from '../schemas/contacts';
import type { ApiDeps } from '../types';

const contextSchema = z
  .object({
    company: companySchema,
    contacts: z.array(contactSchema),
    /** True when the company has more contacts than returned. */
    contactsTruncated: z.boolean(),
    recentActivity: z.array(activitySchema),
    /** Open deals by pipeline stage, per currency (exact decimal strings). */
    openDealsByStage: z.array(z.object({ pipelineId: z.string(), pipelineName: z.string(), stageId: z.string(), stageName: z.string(), probability: z.number(), currency: z.string(), count: z.number(), amount: z.string(), weighted: z.string() })),
    /** 0–100, with its components (README "Deals": recent activity 30, email engagement 25, open pipeline 25, overdue tasks 20). */
    health: z.object({ score: z.number(), components: z.array(z.object({ name: z.string(), points: z.number(), max: z.number(), detail: z.string() })) }),
  })
  .meta({ id: 'PsaClientContext' });

/**
 * `GET /v1/psa/clients/:psaClientId/context`: CRM data for the PSA sidebar, authenticated by the
 * PSA's key. Unlinked clients are a 404 that says so (and why, when a promotion is under way).
 */
export async function psaContextRoutes(app: FastifyInstance, { db, config }: ApiDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (req) => {
      const error = checkPsaKey(req, config);
      if (!error) return;
      await app.access.authFailed(req);
      throw error;
    });

    scope.withTypeProvider<ZodTypeProvider>().get('/v1/psa/clients/:psaClientId/context', {
      config: { public: true },
      schema: {
        tags: ['psa'],
        summary: 'The linked company, its contacts, recent activity, open deals by stage and health score, for the PSA (Authorization: Bearer <CRM_INTEGRATION_KEY>)',
        params: z.strictObject({ psaClientId: z.string().trim().min(1).max(200) }),
        response: { 200: contextSchema, 400: errorResponseSchema, 401: errorResponseSchema, 404: errorResponseSchema },
      },
    }, async (req) => {
      const context = await psaClientContext(db, req.params.psaClientId);
      return {
        company: toCompanyJson(context.company),
        contacts: context.contacts.map(toContactJson),
        contactsTruncated: context.contactsTruncated,
        recentActivity: context.recentActivity.map(toActivityJson),
        openDealsByStage: context.openDealsByStage,
        health: context.health,
      };
    });
  });
}
