/**
 * CRM data for the PSA sidebar (`GET /v1/psa/clients/:psaClientId/context`): the linked company, its
 * contacts, recent activity, open deals by pipeline stage and health score. An unlinked client is a not-found that says why.
 */
import { pageActivities } from '../../db/activity-log';
import type { Db } from '../../db/database';
import type { ActivityRow, CompanyRow, ContactRow } from '../../db/schema';
import { systemClock, type Clock } from '../../domain/clock';
import type { HealthScore } from '../../domain/deals/health-score';
import { companyHealth, companyOpenDealsByStage, type OpenStageSummary } from '../deals/company-pipeline';
import { ServiceError } from '../errors';

const MAX_CONTACTS = 500;
const RECENT_ACTIVITY = 25;

export interface PsaClientContext {
  company: CompanyRow;
  contacts: ContactRow[];
  /** True when the company has more contacts than returned. */
  contactsTruncated: boolean;
  recentActivity: ActivityRow[];
  /** Open deals by pipeline stage (and currency). */
  openDealsByStage: OpenStageSummary[];
  health: HealthScore;
}

export async function psaClientContext(db: Db, psaClientId: string, clock: Clock = systemClock): Promise<PsaClientContext> {
  const company = await db.selectFrom('companies').selectAll().where('psa_client_id', '=', psaClientId).executeTakeFirst();
  if (!company) throw await notLinked(db, psaClientId);
  const contacts = await db.selectFrom('contacts').selectAll().where('company_id', '=', company.id).orderBy('created_at').orderBy('id').limit(MAX_CONTACTS + 1).execute();
  const activity = await pageActivities(db, { companyId: company.id }, { limit: RECENT_ACTIVITY });
  const [openDealsByStage, health] = await Promise.all([companyOpenDealsByStage(db, company.id), companyHealth(db, company.id, clock())]);
  return { company, contacts: contacts.slice(0, MAX_CONTACTS), contactsTruncated: contacts.length > MAX_CONTACTS, recentActivity: activity.rows, openDealsByStage, health };
}

/** The not-found for an unlinked client; names the promotion when one is under way or stuck. */
async function notLinked(db: Db, psaClientId: string): Promise<ServiceError> {
  const promotion = await db.selectFrom('promotions').select(['company_id', 'status', 'failed_step', 'code']).where('psa_client_id', '=', psaClientId).executeTakeFirst();
  const why = promotion
    ? ` CRM company ${promotion.company_id} is being promoted to it but is not linked yet (promotion ${promotion.status}${promotion.code ? ` at ${promotion.failed_step ?? 'a step'}: ${promotion.code}` : ''}).`
    : " Promote the CRM company to a client (POST /v1/companies/:id/promote) so both systems hold each other's ids.";
  return new ServiceError('not_found', 'COMPANY_NOT_LINKED', `PSA client ${psaClientId}: the company is not linked to any CRM company.${why}`);
}
