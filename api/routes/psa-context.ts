import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/database';
import { ApiError, errorResponseSchema } from '../errors';
import { companySchema, toCompanyJson } from '../schemas/companies';
import { activitySchema, contactSchema, toContactJson } from '../schemas/contacts';
import type { ApiDeps } from '../types';
import { listActivities } from './activity-pages';
import { checkPsaKey } from './psa-auth';

const MAX_CONTACTS = 500;
const RECENT_ACTIVITY = 25;

const contextSchema = z
  .object({
    company: companySchema,
    contacts: z.array(contactSchema),
    /** True when the company has more contacts than returned. */
    contactsTruncated: z.boolean(),
    recentActivity: z.array(activitySchema),
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
      if (error) throw error;
    });

    scope.withTypeProvider<ZodTypeProvider>().get('/v1/psa/clients/:psaClientId/context', {
      config: { public: true },
      schema: {
        tags: ['psa'],
        summary: 'The linked company, its contacts and recent activity, for the PSA (Authorization: Bearer <CRM_INTEGRATION_KEY>)',
        params: z.strictObject({ psaClientId: z.string().trim().min(1).max(200) }),
        response: { 200: contextSchema, 400: errorResponseSchema, 401: errorResponseSchema, 404: errorResponseSchema },
      },
    }, async (req) => {
      const { psaClientId } = req.params;
      const company = await db.selectFrom('companies').selectAll().where('psa_client_id', '=', psaClientId).executeTakeFirst();
      if (!company) throw await notLinked(db, psaClientId);
      const contacts = await db.selectFrom('contacts').selectAll().where('company_id', '=', company.id).orderBy('created_at').orderBy('id').limit(MAX_CONTACTS + 1).execute();
      const activity = await listActivities(db, 'company_id', company.id, { limit: RECENT_ACTIVITY });
      return {
        company: toCompanyJson(company),
        contacts: contacts.slice(0, MAX_CONTACTS).map(toContactJson),
        contactsTruncated: contacts.length > MAX_CONTACTS,
        recentActivity: activity.items,
      };
    });
  });
}

/** The 404 for an unlinked client; names the promotion when one is under way or stuck. */
async function notLinked(db: Db, psaClientId: string): Promise<ApiError> {
  const promotion = await db.selectFrom('promotions').select(['company_id', 'status', 'failed_step', 'code']).where('psa_client_id', '=', psaClientId).executeTakeFirst();
  const why = promotion
    ? ` CRM company ${promotion.company_id} is being promoted to it but is not linked yet (promotion ${promotion.status}${promotion.code ? ` at ${promotion.failed_step ?? 'a step'}: ${promotion.code}` : ''}).`
    : " Promote the CRM company to a client (POST /v1/companies/:id/promote) so both systems hold each other's ids.";
  return new ApiError(404, 'COMPANY_NOT_LINKED', `PSA client ${psaClientId}: the company is not linked to any CRM company.${why}`);
}
