/**
 * POST /v1/companies/:id/merge: everything the duplicates own moves to the primary in one
 * transaction (contacts, activity, deals, promotion, CRM links, open review candidates), domains and
 * external ids are unioned, the duplicates stay as tombstones (unlisted, 409 on change, refused as a
 * new contact's or deal's company); merges across different PSA clients or CRM accounts are refused
 * with nothing changed; two opposite merges at once do not deadlock; the role matrix.
 */
import { recordActivity } from '../../db/activity-log';
import { createPipeline, dealBody } from '../deals/fixtures';
import { call, callJson } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read loosely
type Json = any;

let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext();
});
afterAll(() => ctx?.close());

const db = () => ctx.tdb.db;
const company = (name: string, domains: string[]): Promise<Json> => callJson(ctx.app, ctx.keys.admin, 'POST', '/v1/companies', { name, domains }, 201);
const contact = (email: string, companyId: string): Promise<Json> => callJson(ctx.app, ctx.keys.admin, 'POST', '/v1/contacts', { email, companyId }, 201);
const merge = (primaryId: string, duplicateIds: string[], expected: number, key = ctx.keys.admin): Promise<Json> =>
  callJson(ctx.app, key, 'POST', `/v1/companies/${primaryId}/merge`, { duplicateIds }, expected);

async function connector(name: string): Promise<string> {
  const row = await db().insertInto('connectors').values({ type: 'salesforce', name, settings: '{}', secret: null, workflow_id: `crm-sync-test-${name}` }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}
const linkAccount = (connectorId: string, externalId: string, companyId: string) =>
  db().insertInto('sync_records').values({ connector_id: connectorId, object: 'Account', external_id: externalId, local_kind: 'company', local_id: companyId, status: 'synced' }).execute();
const promotion = (companyId: string, status: 'completed' | 'failed' | 'running', psaClientId: string | null) =>
  db().insertInto('promotions').values({ company_id: companyId, status, psa_client_id: psaClientId, steps: '[]', contacts_skipped: '[]', workflow_id: `promotion-${companyId}` }).execute();
const companyRow = (id: string) => db().selectFrom('companies').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('a merge moves everything to the primary', () => {
  let primary: Json, dupB: Json, dupC: Json, connectorId: string, dealId: string, reviewId: string;
  const contactIds: string[] = [];

  beforeAll(async () => {
    primary = await company('Globex', ['globex.example']);
    dupB = await company('Globex Ltd', ['globex.example', 'globex-uk.example']);
    dupC = await company('Globex Group', ['globex-group.example']);
    contactIds.push((await contact('a@globex-uk.example', dupB.id)).id, (await contact('b@globex-group.example', dupC.id)).id);
    const stay = await contact('p@globex.example', primary.id);
    contactIds.push(stay.id);
    await recordActivity(db(), { companyId: dupB.id, type: 'company_updated', data: { fields: ['type'] }, actor: 'system' });
    const p = await createPipeline(ctx.app, ctx.keys.admin);
    dealId = (await callJson(ctx.app, ctx.keys.admin, 'POST', '/v1/deals', dealBody(p.id, p.stage('Lead'), { companyId: dupC.id }), 201)).id;
    // B was promoted to PSA client psa-7 and is known to the books system; C is linked to a CRM account.
    await promotion(dupB.id, 'completed', 'psa-7');
    await db().updateTable('companies').set({ psa_client_id: 'psa-7', status: 'customer', external_ids: JSON.stringify({ books: 'bk-7' }) }).where('id', '=', dupB.id).execute();
    connectorId = await connector('merge-moves');
    await linkAccount(connectorId, '001MOVE', dupC.id);
    reviewId = (await db().insertInto('sync_review_items').values({ connector_id: connectorId, object: 'Account', external_id: '001OTHER', candidate_ids: [dupB.id, primary.id], status: 'open' }).returning('id').executeTakeFirstOrThrow()).id;
  });

  it('answers with what moved; the primary holds the union of domains and ids, the PSA link and the CRM link', async () => {
    const r = await merge(primary.id, [dupB.id, dupC.id], 200);
    expect(r).toMatchObject({ primaryId: primary.id, duplicateIds: [dupB.id, dupC.id], moved: { contacts: 2, deals: 1, promotions: 1, crmLinks: 1, reviewItems: 1 } });
    expect(r.moved.activities).toBeGreaterThanOrEqual(3); // two company_created, one company_updated, contact/deal entries
    expect(r.domainsAdded).toEqual(['globex-group.example', 'globex-uk.example']);
    expect(r.company).toMatchObject({ id: primary.id, domains: ['globex-group.example', 'globex-uk.example', 'globex.example'], psaClientId: 'psa-7', status: 'customer', externalIds: { books: 'bk-7' }, mergedInto: null });
    expect(r.changedFields).toEqual(expect.arrayContaining(['domains', 'psa_client_id', 'status', 'external_ids']));

    expect(await db().selectFrom('contacts').select('company_id').where('id', 'in', contactIds).execute()).toEqual(contactIds.map(() => ({ company_id: primary.id })));
    expect(await db().selectFrom('deals').select('company_id').where('id', '=', dealId).executeTakeFirst()).toEqual({ company_id: primary.id });
    expect(await db().selectFrom('activities').select('id').where('company_id', 'in', [dupB.id, dupC.id]).where('type', '!=', 'company_merged_into').execute()).toEqual([]);
    expect(await db().selectFrom('promotions').select(['company_id', 'psa_client_id']).where('company_id', 'in', [primary.id, dupB.id]).execute()).toEqual([{ company_id: primary.id, psa_client_id: 'psa-7' }]);
    expect(await db().selectFrom('sync_records').select('local_id').where('external_id', '=', '001MOVE').executeTakeFirst()).toEqual({ local_id: primary.id });
    const review = await db().selectFrom('sync_review_items').select('candidate_ids').where('id', '=', reviewId).executeTakeFirstOrThrow();
    expect(review.candidate_ids).toEqual([primary.id]);
  });

  it('journals the merge row by row and logs it on both sides', async () => {
    const [journal] = await db().selectFrom('company_merges').selectAll().where('primary_id', '=', primary.id).execute();
    expect(journal).toMatchObject({ duplicate_ids: [dupB.id, dupC.id], merged_by: `user:${ctx.keys.userIds.admin}` });
    const moves = await db().selectFrom('company_merge_moves').select(['kind', 'row_ref', 'from_company_id']).where('merge_id', '=', journal!.id).execute();
    expect(moves).toEqual(expect.arrayContaining([
      { kind: 'contact', row_ref: contactIds[0], from_company_id: dupB.id },
      { kind: 'contact', row_ref: contactIds[1], from_company_id: dupC.id },
      { kind: 'deal', row_ref: dealId, from_company_id: dupC.id },
      { kind: 'promotion', row_ref: dupB.id, from_company_id: dupB.id },
      { kind: 'crm_link', row_ref: `${connectorId}|Account|001MOVE`, from_company_id: dupC.id },
      { kind: 'review_item', row_ref: reviewId, from_company_id: dupB.id },
    ]));
    expect(moves.filter((m) => m.kind === 'contact')).toHaveLength(2);
    const log = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/companies/${primary.id}/activities`, undefined, 200);
    expect(log.items.find((a: Json) => a.type === 'companies_merged')).toMatchObject({ data: { mergeId: journal!.id, duplicateIds: [dupB.id, dupC.id] } });
    const tomb = await db().selectFrom('activities').select(['reason_code', 'data']).where('company_id', '=', dupB.id).where('type', '=', 'company_merged_into').executeTakeFirstOrThrow();
    expect(tomb).toMatchObject({ reason_code: 'COMPANY_MERGED', data: { primaryId: primary.id } });
  });

  it('the duplicates are tombstones: unlisted, pointing at the primary, refusing change with 409 COMPANY_MERGED', async () => {
    const got = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/companies/${dupB.id}`, undefined, 200);
    expect(got).toMatchObject({ id: dupB.id, mergedInto: primary.id, domains: [], psaClientId: null, externalIds: {} });
    const listed = await callJson(ctx.app, ctx.keys.rep, 'GET', '/v1/companies?limit=200', undefined, 200);
    expect(listed.items.map((c: Json) => c.id)).toContain(primary.id);
    expect(listed.items.map((c: Json) => c.id)).not.toEqual(expect.arrayContaining([dupB.id]));
    expect(listed.items.map((c: Json) => c.id)).not.toEqual(expect.arrayContaining([dupC.id]));
    const byDomain = await callJson(ctx.app, ctx.keys.rep, 'GET', '/v1/companies?domain=globex.example', undefined, 200);
    expect(byDomain.items.map((c: Json) => c.id)).toEqual([primary.id]);

    const before = await companyRow(dupB.id);
    for (const [method, body] of [['PATCH', { name: 'Renamed' }], ['DELETE', undefined]] as const) {
      const res = await call(ctx.app, ctx.keys.admin, method, `/v1/companies/${dupB.id}`, body, 409);
      expect(res.json().error.code).toBe('COMPANY_MERGED');
    }
    expect(await companyRow(dupB.id)).toEqual(before);
    const promote = await call(ctx.app, ctx.keys.admin, 'POST', `/v1/companies/${dupC.id}/promote`, undefined, 409);
    expect(promote.json().error.code).toBe('COMPANY_MERGED');
    const newContact = await call(ctx.app, ctx.keys.admin, 'POST', '/v1/contacts', { email: 'late@globex-uk.example', companyId: dupB.id }, 400);
    expect(newContact.json().error.details).toEqual([expect.objectContaining({ path: 'body.companyId' })]);

    // Merging a tombstone again, in either role, is refused.
    expect((await call(ctx.app, ctx.keys.admin, 'POST', `/v1/companies/${dupB.id}/merge`, { duplicateIds: [dupC.id] }, 409)).json().error.code).toBe('COMPANY_MERGED');
    const other = await company('Unrelated', ['unrelated.example']);
    expect((await call(ctx.app, ctx.keys.admin, 'POST', `/v1/companies/${other.id}/merge`, { duplicateIds: [dupB.id] }, 409)).json().error.code).toBe('COMPANY_MERGED');
  });

  it('inbound matching follows the primary: a person at a duplicate’s domain lands in it', async () => {
    const r = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/people/resolve', { email: 'new@globex-group.example', source: 'form' }, 201);
    expect(r).toMatchObject({ outcome: 'MATCH_ACCOUNT_DOMAIN', company: { id: primary.id } });
  });
});

describe('refusals leave everything as it was', () => {
  async function expectRefused(primaryId: string, duplicateIds: string[], status: number, code: string): Promise<void> {
    const ids = [primaryId, ...duplicateIds];
    const before = await db().selectFrom('companies').selectAll().where('id', 'in', ids).orderBy('id').execute();
    const res = await call(ctx.app, ctx.keys.admin, 'POST', `/v1/companies/${primaryId}/merge`, { duplicateIds }, status);
    expect(res.json().error.code).toBe(code);
    expect(await db().selectFrom('companies').selectAll().where('id', 'in', ids).orderBy('id').execute()).toEqual(before);
    expect(await db().selectFrom('company_merges').select('id').where('primary_id', '=', primaryId).execute()).toEqual([]);
  }

  it('different PSA clients: 409 COMPANY_MERGE_PSA_CONFLICT', async () => {
    const a = await company('Initech', ['initech.example']);
    const b = await company('Initech 2', ['initech2.example']);
    const c = await contact('x@initech2.example', b.id);
    await db().updateTable('companies').set({ psa_client_id: 'psa-a' }).where('id', '=', a.id).execute();
    await db().updateTable('companies').set({ psa_client_id: 'psa-b' }).where('id', '=', b.id).execute();
    await expectRefused(a.id, [b.id], 409, 'COMPANY_MERGE_PSA_CONFLICT');
    expect(await db().selectFrom('contacts').select('company_id').where('id', '=', c.id).executeTakeFirst()).toEqual({ company_id: b.id });
  });

  it('different CRM accounts of one connector: 409 COMPANY_MERGE_CRM_CONFLICT; one account on two connectors merges', async () => {
    const cx = await connector('merge-conflict');
    const a = await company('Umbrella', ['umbrella.example']);
    const b = await company('Umbrella EU', ['umbrella.eu.example']);
    await linkAccount(cx, '001A', a.id);
    await linkAccount(cx, '001B', b.id);
    await expectRefused(a.id, [b.id], 409, 'COMPANY_MERGE_CRM_CONFLICT');
    expect(await db().selectFrom('sync_records').select(['external_id', 'local_id']).where('connector_id', '=', cx).orderBy('external_id').execute()).toEqual([
      { external_id: '001A', local_id: a.id },
      { external_id: '001B', local_id: b.id },
    ]);

    // Different ids in one external system: the same refusal.
    const c = await company('Soylent', ['soylent.example']);
    const d = await company('Soylent Corp', ['soylentcorp.example']);
    await db().updateTable('companies').set({ external_ids: JSON.stringify({ books: 'bk-1' }) }).where('id', '=', c.id).execute();
    await db().updateTable('companies').set({ external_ids: JSON.stringify({ books: 'bk-2' }) }).where('id', '=', d.id).execute();
    await expectRefused(c.id, [d.id], 409, 'COMPANY_MERGE_CRM_CONFLICT');

    // The same account seen by two connectors (or a stopped link) is not a conflict.
    const cy = await connector('merge-second');
    const e = await company('Hooli', ['hooli.example']);
    const f = await company('Hooli Inc', ['hooli-inc.example']);
    await linkAccount(cx, '001H', e.id);
    await linkAccount(cy, '001H', f.id);
    const r = await merge(e.id, [f.id], 200);
    expect(r.moved.crmLinks).toBe(1);
    expect(await db().selectFrom('sync_records').select('local_id').where('external_id', '=', '001H').execute()).toEqual([{ local_id: e.id }, { local_id: e.id }]);
  });

  it('a running promotion: 409 PROMOTION_IN_PROGRESS', async () => {
    const a = await company('Vandelay', ['vandelay.example']);
    const b = await company('Vandelay Imports', ['vandelay-imports.example']);
    await promotion(b.id, 'running', null);
    await expectRefused(a.id, [b.id], 409, 'PROMOTION_IN_PROGRESS');
  });

  it('the primary among the duplicates: 400; an unknown company: 404', async () => {
    const a = await company('Stark', ['stark.example']);
    const bad = await call(ctx.app, ctx.keys.admin, 'POST', `/v1/companies/${a.id}/merge`, { duplicateIds: [a.id] }, 400);
    expect(bad.json().error.details).toEqual([expect.objectContaining({ path: 'body.duplicateIds' })]);
    const empty = await call(ctx.app, ctx.keys.admin, 'POST', `/v1/companies/${a.id}/merge`, { duplicateIds: [] }, 400);
    expect(empty.json().error.details.map((d: Json) => d.path)).toContain('body.duplicateIds');
    await expectRefused(a.id, ['00000000-0000-4000-8000-000000000001'], 404, 'NOT_FOUND');
  });
});

describe('concurrency and roles', () => {
  it('two opposite merges at once: one wins, the other is refused (no deadlock, no cycle)', async () => {
    const a = await company('Wonka', ['wonka.example']);
    const b = await company('Wonka Bars', ['wonkabars.example']);
    const [ab, ba] = await Promise.all([
      call(ctx.app, ctx.keys.admin, 'POST', `/v1/companies/${a.id}/merge`, { duplicateIds: [b.id] }),
      call(ctx.app, ctx.keys.admin, 'POST', `/v1/companies/${b.id}/merge`, { duplicateIds: [a.id] }),
    ]);
    expect([ab.statusCode, ba.statusCode].sort()).toEqual([200, 409]);
    expect([ab, ba].find((r) => r.statusCode === 409)!.json().error.code).toBe('COMPANY_MERGED');
    const rows = await db().selectFrom('companies').select(['id', 'merged_into']).where('id', 'in', [a.id, b.id]).execute();
    expect(rows.filter((r) => r.merged_into === null)).toHaveLength(1);
  });

  it('only admins merge; reps, compliance officers and operators get 403 and nothing changes', async () => {
    const a = await company('Acme Roles', ['acme-roles.example']);
    const b = await company('Acme Roles 2', ['acme-roles2.example']);
    for (const role of ['rep', 'compliance', 'operator'] as const) {
      const res = await call(ctx.app, ctx.keys[role], 'POST', `/v1/companies/${a.id}/merge`, { duplicateIds: [b.id] }, 403);
      expect(res.json().error.code).toBe('FORBIDDEN');
    }
    expect((await companyRow(b.id)).merged_into).toBeNull();
    await merge(a.id, [b.id], 200, ctx.keys.admin);
    expect((await companyRow(b.id)).merged_into).toBe(a.id);
  });
});
