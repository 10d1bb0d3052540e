/** Companies: create, read, update, delete. */
import { sql } from 'kysely';
import { pageActivities, recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { pageInCreationOrder, type Page } from '../../db/pagination';
import type { ActivityRow, CompanyRow } from '../../db/schema';
import type { CompanyStatus } from '../../domain/companies/vocabulary';
import { actorLabel, type Actor } from '../actor';
import { conflict, notFound } from '../errors';

export interface CompanyFields {
  name?: string;
  domains?: string[];
  status?: CompanyStatus;
  type?: string | null;
}

export interface CompanyListQuery {
  limit: number;
  cursor?: string;
  status?: CompanyStatus;
  domain?: string;
}

export async function createCompany(db: Db, b: CompanyFields & { name: string }, actor: Actor): Promise<CompanyRow> {
  const row = await db
    .insertInto('companies')
    .values({ name: b.name, domains: b.domains ?? [], status: b.status, type: b.type ?? null, external_ids: '{}' })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordActivity(db, { companyId: row.id, type: 'company_created', actor: actorLabel(actor) });
  return row;
}

export function listCompanies(db: Db, q: CompanyListQuery): Promise<Page<CompanyRow>> {
  // Merged duplicates (tombstones) are not listed; GET /v1/companies/:id still answers with mergedInto.
  let query = db.selectFrom('companies').selectAll().where('merged_into', 'is', null);
  if (q.status) query = query.where('status', '=', q.status);
  // A bare JS array would be expanded as a value list: bind it as one text[] value.
  if (q.domain) query = query.where('domains', '@>', sql<string[]>`array[${q.domain}]::text[]`);
  return pageInCreationOrder(query, q);
}

export async function getCompany(db: Db, id: string): Promise<CompanyRow> {
  const row = await db.selectFrom('companies').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Company', id);
  return row;
}

export async function requireCompanyExists(db: Db, id: string): Promise<void> {
  const row = await db.selectFrom('companies').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Company', id);
}

/** A promotion that is running or waiting for the PSA: the company must not change under it. */
async function assertNoLivePromotion(db: Db, companyId: string, what: string): Promise<void> {
  const promotion = await db.selectFrom('promotions').select('status').where('company_id', '=', companyId).executeTakeFirst();
  if (promotion?.status === 'running' || promotion?.status === 'waiting_for_psa') {
    throw conflict('PROMOTION_IN_PROGRESS', `The company's promotion to a PSA client is ${promotion.status === 'running' ? 'running' : 'waiting for the PSA'}; ${what} now would leave a PSA client without its CRM company. Wait until it completes or fails (GET /v1/companies/${companyId}/promotion).`);
  }
}

/** A merged company (tombstone) is not changed: its data lives on in the primary. */
export async function assertCompanyNotMerged(db: Db, id: string): Promise<void> {
  const row = await db.selectFrom('companies').select('merged_into').where('id', '=', id).executeTakeFirst();
  if (row?.merged_into) throw conflict('COMPANY_MERGED', `Company ${id} was merged into ${row.merged_into}; change that company instead.`);
}

export async function updateCompany(db: Db, id: string, b: CompanyFields, actor: Actor): Promise<CompanyRow> {
  await assertCompanyNotMerged(db, id);
  if (b.status === 'inactive') await assertNoLivePromotion(db, id, 'deactivating it');
  const row = await db
    .updateTable('companies')
    .set({
      ...(b.name !== undefined && { name: b.name }),
      ...(b.domains !== undefined && { domains: b.domains }),
      ...(b.status !== undefined && { status: b.status }),
      ...(b.type !== undefined && { type: b.type }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound('Company', id);
  await recordActivity(db, { companyId: row.id, type: 'company_updated', data: { fields: Object.keys(b) }, actor: actorLabel(actor) });
  return row;
}

export async function deleteCompany(db: Db, id: string, actor: Actor): Promise<void> {
  const row = await db.selectFrom('companies').select(['id', 'psa_client_id']).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Company', id);
  await assertCompanyNotMerged(db, id);
  await assertNoLivePromotion(db, id, 'deleting it');
  if (row.psa_client_id) {
    throw conflict(
      'COMPANY_LINKED_TO_PSA',
      `The company is linked to PSA client ${row.psa_client_id}. Deleting it here would not touch the PSA: the client would stay active there, pointing at a company that no longer exists. Archive or unlink the client in the PSA first, then delete the company.`,
    );
  }
  await db.deleteFrom('companies').where('id', '=', id).execute();
  await recordActivity(db, { companyId: row.id, type: 'company_deleted', actor: actorLabel(actor) });
}

/** The company's activity log, newest first. */
export async function companyActivities(db: Db, companyId: string, page: { limit: number; cursor?: string }): Promise<Page<ActivityRow>> {
  await requireCompanyExists(db, companyId);
  return pageActivities(db, { companyId }, page);
}
