/**
 * The CRM-account branch against the Salesforce emulator (unmodified jsforce): Pylon's case (an
 * account listing two domains makes ONE company holding both, found again from either domain, and
 * a later sync cycle updates it instead of creating a second), an existing company holding one of
 * the account's domains is linked rather than duplicated, the connector's rules still apply
 * (FILTERED_OUT), scope `all` brings the account's contacts, and Salesforce unreachable is a 503 with
 * nothing written.
 */
import { sql } from 'kysely';
import { call, callJson } from '../harness/api';
import { seedContacts, startSyncWorld, type Json, type SyncWorld } from '../sync/world';

jest.setTimeout(120_000);

let w: SyncWorld;
beforeAll(async () => {
  w = await startSyncWorld();
});
afterAll(async () => w?.close());

const resolve = (email: string, expected: number, key = w.keys.rep): Promise<Json> => callJson(w.app, key, 'POST', '/v1/people/resolve', { email, source: 'support_issue' }, expected);
const companiesWith = (domain: string) =>
  w.tdb.db.selectFrom('companies').select(['id', 'name', 'domains']).where(sql<boolean>`domains @> array[${domain}]::text[]`).where('merged_into', 'is', null).execute();
const link = (connectorId: string, externalId: string) =>
  w.tdb.db.selectFrom('sync_records').select(['local_kind', 'local_id', 'status', 'code', 'decision']).where('connector_id', '=', connectorId).where('object', '=', 'Account').where('external_id', '=', externalId).executeTakeFirst();

describe('scope linked_only (lazy creation)', () => {
  let connectorId: string;
  beforeAll(async () => {
    connectorId = await w.createConnector({ scope: 'linked_only' });
    await w.runCycle(connectorId); // initial load of an empty org
  });
  // One connector per describe: the first connector that knows a domain wins.
  afterAll(() => call(w.app, w.keys.admin, 'DELETE', `/v1/connectors/${connectorId}`, undefined, 204));

  it("Pylon's case: resolving new@acme-other.example links ONE company holding both domains; x@acme.example finds it; a later cycle does not duplicate it", async () => {
    const [accountId] = w.emulator.control.seed('Account', [{ Name: 'Acme', Type: 'Customer', Website: 'https://www.acme.example', Domains__c: 'acme.example; acme-other.example' }]) as [string];

    const first = await resolve('new@acme-other.example', 201);
    expect(first).toMatchObject({
      outcome: 'MATCH_CRM_DOMAIN',
      created: ['contact', 'company', 'crm_link'],
      company: { created: true, domains: ['acme-other.example', 'acme.example'], crmLink: { connectorId, object: 'Account', externalId: accountId } },
    });
    expect(first.steps.find((s: Json) => s.branch === 'MATCH_CRM_DOMAIN')).toMatchObject({ result: 'matched', code: 'MATCH_CRM_DOMAIN' });
    const companyId = first.company.id as string;
    expect(first.contact.companyId).toBe(companyId);
    expect(await callJson(w.app, w.keys.rep, 'GET', `/v1/companies/${companyId}`, undefined, 200)).toMatchObject({ name: 'Acme', type: 'Customer' });
    // Linked exactly as the loop links: the record view says synced, with its rule checks.
    expect(await link(connectorId, accountId)).toMatchObject({ local_kind: 'company', local_id: companyId, status: 'synced', code: null });
    expect(await w.record(connectorId, accountId)).toMatchObject({ status: 'synced', local: { kind: 'company', id: companyId } });

    const second = await resolve('x@acme.example', 201);
    expect(second).toMatchObject({ outcome: 'MATCH_ACCOUNT_DOMAIN', company: { id: companyId } });

    // A cycle reads the account (its change feed) and updates that company; no second one.
    w.emulator.control.edit(accountId, { Name: 'Acme Holdings' });
    await w.later();
    const cycle = await w.runCycle(connectorId);
    expect(cycle).toMatchObject({ status: 'completed' });
    expect(cycle.records_read).toBeGreaterThanOrEqual(1);
    for (const d of ['acme.example', 'acme-other.example']) expect(await companiesWith(d)).toEqual([expect.objectContaining({ id: companyId, name: 'Acme Holdings' })]);
    expect(await link(connectorId, accountId)).toMatchObject({ local_id: companyId, status: 'synced' });
    // Lazy creation: the account's other CRM contacts are not pulled in.
    expect(await w.tdb.db.selectFrom('contacts').select('id').where('company_id', '=', companyId).execute()).toHaveLength(2);
    const log = await w.tdb.db.selectFrom('activities').select(['type', 'reason_code']).where('contact_id', '=', first.contact.id).where('type', '=', 'person_resolved').execute();
    expect(log).toEqual([{ type: 'person_resolved', reason_code: 'MATCH_CRM_DOMAIN' }]);
  });

  it('an existing company holding one of the account\'s domains is linked and given the others, not duplicated', async () => {
    const existing = await callJson(w.app, w.keys.admin, 'POST', '/v1/companies', { name: 'Globex (local)', domains: ['globex.example'] }, 201);
    const [accountId] = w.emulator.control.seed('Account', [{ Name: 'Globex', Type: 'Customer', Website: 'globex.example', Domains__c: 'globex.example,globex-mail.example' }]) as [string];
    const r = await resolve('pat@globex-mail.example', 201);
    expect(r).toMatchObject({ outcome: 'MATCH_CRM_DOMAIN', created: ['contact', 'crm_link'], company: { id: existing.id, created: false, domainsAdded: ['globex-mail.example'], domains: ['globex-mail.example', 'globex.example'] } });
    expect(await link(connectorId, accountId)).toMatchObject({ local_id: existing.id, status: 'synced', decision: { outcome: 'link' } });
    expect(await companiesWith('globex-mail.example')).toHaveLength(1);
  });

  it('the CRM lookup matches whole domains only (notinitech.example is not initech.example)', async () => {
    w.emulator.control.seed('Account', [{ Name: 'Not Initech', Type: 'Customer', Website: 'https://notinitech.example' }]);
    const r = await resolve('bill@initech.example', 201);
    expect(r).toMatchObject({ outcome: 'MATCH_NEW_ACCOUNT', company: { crmLink: null, domains: ['initech.example'] } });
    expect(r.steps.find((s: Json) => s.branch === 'MATCH_CRM_DOMAIN')).toMatchObject({ result: 'no_match' });
  });

  it('Salesforce unreachable: 503 CRM_UNAVAILABLE and nothing written', async () => {
    w.emulator.control.seed('Account', [{ Name: 'Down', Type: 'Customer', Website: 'https://down.example' }]);
    w.emulator.control.addFault({ kind: 'status', method: 'GET', path: '/query', status: 503, errorCode: 'SERVER_UNAVAILABLE', times: 100 });
    try {
      const res = await call(w.app, w.keys.rep, 'POST', '/v1/people/resolve', { email: 'ops@down.example', source: 'form' }, 503);
      expect(res.json().error).toMatchObject({ code: 'CRM_UNAVAILABLE' });
      expect(res.json().error.message).not.toContain('ops@');
    } finally {
      w.emulator.control.clearFaults();
    }
    expect(await companiesWith('down.example')).toHaveLength(0);
    expect(await w.tdb.db.selectFrom('contacts').select('id').where('email_normalized', '=', 'ops@down.example').execute()).toHaveLength(0);
    // Back up: the same request now links the account.
    expect(await resolve('ops@down.example', 201)).toMatchObject({ outcome: 'MATCH_CRM_DOMAIN' });
  });
});

describe("the connector's rules decide whether an account may have a company", () => {
  it('an account outside the filter does not match (FILTERED_OUT, said in the step): a new unlinked company', async () => {
    const connectorId = await w.createConnector({ scope: 'linked_only', filter: { object: 'Account', field: 'Type', values: ['Customer'] } });
    await w.runCycle(connectorId);
    w.emulator.control.seed('Account', [{ Name: 'Partner Co', Type: 'Partner', Website: 'https://partnerco.example' }]);
    const r = await resolve('someone@partnerco.example', 201);
    expect(r).toMatchObject({ outcome: 'MATCH_NEW_ACCOUNT', company: { crmLink: null } });
    expect(r.steps.find((s: Json) => s.branch === 'MATCH_CRM_DOMAIN')).toMatchObject({ result: 'no_match', code: 'FILTERED_OUT' });
    await call(w.app, w.keys.admin, 'DELETE', `/v1/connectors/${connectorId}`, undefined, 204);
  });
});

describe('scope all', () => {
  it("the account's contacts come with its company on the next cycle, under that same company", async () => {
    const connectorId = await w.createConnector({ scope: 'all' });
    await w.runCycle(connectorId);
    const [accountId] = w.emulator.control.seed('Account', [{ Name: 'Umbrella', Type: 'Customer', Website: 'https://umbrella.example' }]) as [string];
    const [annId] = seedContacts(w, [{ AccountId: accountId, FirstName: 'Ann', LastName: 'Crm', Email: 'ann@umbrella.example' }]) as [string];
    const r = await resolve('bob@umbrella.example', 201);
    expect(r).toMatchObject({ outcome: 'MATCH_CRM_DOMAIN', company: { created: true, crmLink: { connectorId, externalId: accountId } } });
    await w.later();
    await w.runCycle(connectorId);
    expect(await companiesWith('umbrella.example')).toEqual([expect.objectContaining({ id: r.company.id })]);
    const ann = await w.record(connectorId, annId);
    expect(ann).toMatchObject({ status: 'synced', local: { kind: 'contact' } });
    const annRow = await w.tdb.db.selectFrom('contacts').select(['company_id', 'email']).where('id', '=', ann.local.id).executeTakeFirstOrThrow();
    expect(annRow).toEqual({ company_id: r.company.id, email: 'ann@umbrella.example' });
    await call(w.app, w.keys.admin, 'DELETE', `/v1/connectors/${connectorId}`, undefined, 204);
  });
});
