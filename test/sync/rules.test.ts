/**
 * The pure inbound rules (domain/sync): every rule and code, the conflict policy field by field, the
 * API budget and the change-feed windows. No I/O: the engine and the dry run call these same functions.
 */
import { REASON_CODES } from '../../domain/reason-codes';
import { budgetDecision, BUDGET_WINDOW_MS } from '../../domain/sync/budget';
import { planLocalWrite } from '../../domain/sync/local-plan';
import { decideInbound, isB2C, SYNC_RULES, type DecisionFacts } from '../../domain/sync/rules';
import { DEFAULT_SYNC_SETTINGS, settingsProblems, syncSettings, type SyncSettings } from '../../domain/sync/settings';
import { accountDomains, fieldsToRead, toSnapshot, type CrmSnapshot } from '../../domain/sync/snapshot';
import { planWindow } from '../../domain/sync/window';

const settings = (over: Partial<SyncSettings> = {}): SyncSettings => ({ ...DEFAULT_SYNC_SETTINGS, ...over });
const account: CrmSnapshot = { Id: '001A', Name: 'Acme', Type: 'Customer', Active__c: true, IsDeleted: false, MasterRecordId: null };
const contact = (over: Record<string, unknown> = {}): CrmSnapshot => ({ Id: '003A', AccountId: '001A', FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@acme.example', Active__c: true, IsDeleted: false, MasterRecordId: null, HasOptedOutOfEmail: false, IsEmailBounced: false, ...over }) as CrmSnapshot;

function facts(over: Partial<DecisionFacts> = {}): DecisionFacts {
  return {
    object: 'Contact',
    snapshot: contact(),
    settings: settings(),
    linkedLocalId: null,
    account: { snapshot: account, status: 'synced', localCompanyId: 'company-1' },
    erased: false,
    sameEmailSameObject: [],
    contactHasEmail: false,
    emailMatches: [],
    lookalikes: [],
    ...over,
  };
}

const failing = (f: DecisionFacts) => decideInbound(f).checks.filter((c) => !c.pass).map((c) => c.code);

describe('SYNC_RULES', () => {
  it('catalogues each rule once with known codes', () => {
    const names = SYNC_RULES.map((r) => r.rule);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of SYNC_RULES) for (const code of rule.codes) expect(REASON_CODES[code]).toBeDefined();
  });
});

describe('decideInbound', () => {
  it('creates a valid new contact under a linked company, every rule passing', () => {
    const d = decideInbound(facts());
    expect(d).toMatchObject({ outcome: 'create', code: null });
    expect(d.checks.filter((c) => c.blocking !== false).every((c) => c.pass)).toBe(true);
  });

  it('updates a linked one; links to a local contact with the email that is not linked elsewhere', () => {
    expect(decideInbound(facts({ linkedLocalId: 'c1' })).outcome).toBe('update');
    expect(decideInbound(facts({ emailMatches: [{ id: 'c9', linkedElsewhere: true }, { id: 'c2', linkedElsewhere: false }] }))).toMatchObject({ outcome: 'link', linkTo: 'c2' });
  });

  it('CRM_DELETED / CRM_MERGED (with the survivor) / CRM_LEAD_CONVERTED stop the record', () => {
    expect(decideInbound(facts({ snapshot: contact({ IsDeleted: true }) }))).toMatchObject({ outcome: 'stop', code: 'CRM_DELETED' });
    expect(decideInbound(facts({ snapshot: contact({ IsDeleted: true, MasterRecordId: '003W' }), linkedLocalId: 'c1' }))).toMatchObject({ outcome: 'stop', code: 'CRM_MERGED', masterId: '003W' });
    const lead = { Id: '00QA', FirstName: 'L', LastName: 'Ead', Email: 'l@x.example', Company: 'X', IsConverted: true, ConvertedContactId: '003C', IsDeleted: false } as CrmSnapshot;
    expect(decideInbound(facts({ object: 'Lead', snapshot: lead, account: null }))).toMatchObject({ outcome: 'stop', code: 'CRM_LEAD_CONVERTED', masterId: '003C' });
  });

  it('ERASED: an erased subject is never created', () => {
    expect(decideInbound(facts({ erased: true }))).toMatchObject({ outcome: 'skip', code: 'ERASED' });
  });

  it('FILTERED_OUT: skip when new, freeze when linked; a filter on Account reads the contact\'s account', () => {
    const filter = { object: 'Account' as const, field: 'Type', values: ['Customer', 'Prospect'] };
    const partner = { snapshot: { ...account, Type: 'Partner' }, status: 'frozen' as const, localCompanyId: 'company-1' };
    expect(decideInbound(facts({ settings: settings({ filter }), account: partner }))).toMatchObject({ outcome: 'skip', code: 'FILTERED_OUT' });
    expect(decideInbound(facts({ settings: settings({ filter }), account: partner, linkedLocalId: 'c1' }))).toMatchObject({ outcome: 'freeze', code: 'FILTERED_OUT' });
    expect(decideInbound(facts({ object: 'Account', snapshot: { ...account, Type: 'Partner' }, account: null, settings: settings({ filter }) }))).toMatchObject({ code: 'FILTERED_OUT' });
    expect(decideInbound(facts({ settings: settings({ filter }) })).outcome).toBe('create');
    // No account at all: nothing to pass the filter with.
    expect(decideInbound(facts({ settings: settings({ filter }), account: null })).code).toBe('FILTERED_OUT');
  });

  it('COMPANY_INACTIVE freezes the company and its contacts', () => {
    const inactive = { snapshot: { ...account, Active__c: false }, status: 'frozen' as const, localCompanyId: 'company-1' };
    expect(decideInbound(facts({ account: inactive, linkedLocalId: 'c1' }))).toMatchObject({ outcome: 'freeze', code: 'COMPANY_INACTIVE' });
    expect(decideInbound(facts({ object: 'Account', snapshot: { ...account, Active__c: false }, account: null, linkedLocalId: 'co1' }))).toMatchObject({ outcome: 'freeze', code: 'COMPANY_INACTIVE' });
  });

  it('CONTACT_INACTIVE (a linked one is made inactive) and DELETED_INACTIVE only while the company is active', () => {
    expect(decideInbound(facts({ snapshot: contact({ Active__c: false }) }))).toMatchObject({ outcome: 'skip', code: 'CONTACT_INACTIVE' });
    expect(decideInbound(facts({ snapshot: contact({ Active__c: false }), linkedLocalId: 'c1' }))).toMatchObject({ outcome: 'freeze', code: 'CONTACT_INACTIVE', markInactive: true });
    const del = settings({ deleteInactiveContacts: true });
    expect(decideInbound(facts({ settings: del, snapshot: contact({ Active__c: false }), linkedLocalId: 'c1' }))).toMatchObject({ outcome: 'delete_local', code: 'DELETED_INACTIVE' });
    const inactiveCompany = { snapshot: { ...account, Active__c: false }, status: 'frozen' as const, localCompanyId: 'company-1' };
    expect(decideInbound(facts({ settings: del, snapshot: contact({ Active__c: false }), linkedLocalId: 'c1', account: inactiveCompany })).code).toBe('COMPANY_INACTIVE');
  });

  it('INVALID_EMAIL and DUPLICATE_EMAIL (unless duplicates are allowed)', () => {
    expect(decideInbound(facts({ snapshot: contact({ Email: null }) })).code).toBe('INVALID_EMAIL');
    expect(decideInbound(facts({ snapshot: contact({ Email: 'not-an-address' }) })).code).toBe('INVALID_EMAIL');
    expect(decideInbound(facts({ sameEmailSameObject: ['003B'] })).code).toBe('DUPLICATE_EMAIL');
    expect(decideInbound(facts({ sameEmailSameObject: ['003B'], settings: settings({ allowDuplicateEmails: true }) })).outcome).toBe('create');
  });

  it('MULTIPLE_CRM_MATCHES: a lead yields to a contact with its email; of several leads the first syncs', () => {
    const lead = (id: string) => ({ Id: id, FirstName: 'L', LastName: 'Ead', Email: 'l@x.example', Company: 'X', IsConverted: false, IsDeleted: false }) as CrmSnapshot;
    expect(decideInbound(facts({ object: 'Lead', snapshot: lead('00QB'), account: null, contactHasEmail: true })).code).toBe('MULTIPLE_CRM_MATCHES');
    expect(decideInbound(facts({ object: 'Lead', snapshot: lead('00QB'), account: null, sameEmailSameObject: ['00QA'] })).code).toBe('MULTIPLE_CRM_MATCHES');
    expect(decideInbound(facts({ object: 'Lead', snapshot: lead('00QA'), account: null, sameEmailSameObject: ['00QB'] })).outcome).toBe('create');
  });

  it('NO_LINKED_COMPANY: a new contact needs its account linked locally', () => {
    expect(decideInbound(facts({ account: null, snapshot: contact({ AccountId: null }) })).code).toBe('NO_LINKED_COMPANY');
    expect(decideInbound(facts({ account: { snapshot: account, status: 'skipped', localCompanyId: null } })).code).toBe('NO_LINKED_COMPANY');
    expect(decideInbound(facts({ account: { snapshot: account, status: 'skipped', localCompanyId: null }, linkedLocalId: 'c1' })).outcome).toBe('update');
  });

  it('B2C_SKIPPED only with skipB2C', () => {
    expect(isB2C('Ada', 'Lovelace', ' ada  LOVELACE ')).toBe(true);
    const b2c = { snapshot: { ...account, Name: 'Ada Lovelace' }, status: 'synced' as const, localCompanyId: 'company-1' };
    expect(decideInbound(facts({ account: b2c })).outcome).toBe('create');
    expect(decideInbound(facts({ account: b2c, settings: settings({ skipB2C: true }) })).code).toBe('B2C_SKIPPED');
  });

  it('SCOPE_LINKED_ONLY creates nothing but still links by email', () => {
    const linkedOnly = settings({ scope: 'linked_only' });
    expect(decideInbound(facts({ settings: linkedOnly })).code).toBe('SCOPE_LINKED_ONLY');
    expect(decideInbound(facts({ settings: linkedOnly, emailMatches: [{ id: 'c2', linkedElsewhere: false }] })).outcome).toBe('link');
  });

  it('POSSIBLE_DUPLICATE queues a lookalike for review (detectDuplicatesOnCreate)', () => {
    expect(decideInbound(facts({ lookalikes: ['c7'] }))).toMatchObject({ outcome: 'review', code: 'POSSIBLE_DUPLICATE', candidates: ['c7'] });
    expect(decideInbound(facts({ lookalikes: ['c7'], settings: settings({ detectDuplicatesOnCreate: false }) })).outcome).toBe('create');
  });

  it('ADDRESS_SYNC_DISABLED is informational', () => {
    const d = decideInbound(facts());
    expect(d.checks.find((c) => c.rule === 'addresses')).toMatchObject({ pass: false, code: 'ADDRESS_SYNC_DISABLED', blocking: false });
    expect(d.outcome).toBe('create');
    expect(failing(facts({ settings: settings({ syncAddresses: true }) }))).toEqual([]);
  });
});

describe('planLocalWrite (conflict policy)', () => {
  const base = { object: 'Contact' as const, settings: settings(), companyId: 'company-1', creating: false };

  it('writes what the CRM changed; keeps what only the local side changed', () => {
    const applied = { firstName: 'Ada', lastName: 'Lovelace' };
    const plan = planLocalWrite({ ...base, snapshot: contact({ LastName: 'King' }), current: { firstName: 'Augusta', lastName: 'Lovelace', email: 'ada@acme.example' }, applied, sources: {} });
    expect(plan.set).toMatchObject({ lastName: 'King' });
    expect(plan.set.firstName).toBeUndefined();
    expect(plan.sources).toMatchObject({ firstName: 'local', lastName: 'crm' });
    expect(plan.conflicts).toEqual([]);
  });

  it('CONFLICT_CRM_WINS when both changed a standard field', () => {
    const plan = planLocalWrite({ ...base, snapshot: contact({ FirstName: 'Countess' }), current: { firstName: 'Augusta' }, applied: { firstName: 'Ada' }, sources: {} });
    expect(plan.set.firstName).toBe('Countess');
    expect(plan.conflicts).toEqual([{ field: 'firstName', code: 'CONFLICT_CRM_WINS' }]);
  });

  it('CONFLICT_LOCAL_OVERRIDE for a custom field set to local_overrides; crm_wins custom fields follow the CRM', () => {
    const s = settings({ customFields: [{ object: 'Contact', field: 'Title', policy: 'local_overrides' }, { object: 'Contact', field: 'Phone', policy: 'crm_wins' }] });
    const plan = planLocalWrite({ ...base, settings: s, snapshot: contact({ Title: 'CTO', Phone: '2' }), current: { 'custom.Title': 'Chief', 'custom.Phone': '9' }, applied: { 'custom.Title': 'Eng', 'custom.Phone': '1' }, sources: {} });
    expect(plan.set['custom.Title']).toBeUndefined();
    expect(plan.set['custom.Phone']).toBe('2');
    expect(plan.conflicts).toEqual([{ field: 'custom.Title', code: 'CONFLICT_LOCAL_OVERRIDE' }, { field: 'custom.Phone', code: 'CONFLICT_CRM_WINS' }]);
    // The kept local value does not ping-pong: the next identical read changes nothing.
    const again = planLocalWrite({ ...base, settings: s, snapshot: contact({ Title: 'CTO', Phone: '2' }), current: { 'custom.Title': 'Chief', 'custom.Phone': '2' }, applied: plan.applied, sources: plan.sources });
    expect(again.set).toEqual({});
    expect(again.conflicts).toEqual([]);
  });

  it('app-owned fields (score, grade) cannot be mapped', () => {
    expect(syncSettings.safeParse({ customFields: [{ object: 'Contact', field: 'Score__c' }] }).success).toBe(false);
    expect(syncSettings.safeParse({ customFields: [{ object: 'Contact', field: 'Grade' }] }).success).toBe(false);
  });

  it('opt-out and bounce block email; the CRM lifting its own block does not invent consent', () => {
    const out = planLocalWrite({ ...base, snapshot: contact({ HasOptedOutOfEmail: true, IsEmailBounced: true }), current: { consent: 'opted_in', status: 'active' }, applied: {}, sources: {} });
    expect(out.set).toMatchObject({ consent: 'opted_out', status: 'bounced' });
    const lifted = planLocalWrite({ ...base, snapshot: contact(), current: { consent: 'opted_out', status: 'bounced' }, applied: out.applied, sources: out.sources });
    expect(lifted.set).toMatchObject({ consent: 'unknown', status: 'active' });
  });

  it('new contacts start with unknown consent; company domains keep local additions', () => {
    expect(planLocalWrite({ ...base, creating: true, snapshot: contact(), current: {}, applied: {}, sources: {} }).set).toMatchObject({ consent: 'unknown', status: 'active', companyId: 'company-1' });
    const s = settings({ domainsField: 'Domains__c' });
    const plan = planLocalWrite({ object: 'Account', settings: s, companyId: null, creating: false, snapshot: { ...account, Website: 'www.acme.example', Domains__c: 'acme.example; acme-other.example' } as CrmSnapshot, current: { domains: ['local.example', 'old.example'] }, applied: { domains: ['old.example'] }, sources: {} });
    expect(plan.set.domains).toEqual(['acme-other.example', 'acme.example', 'local.example']);
  });
});

describe('snapshots', () => {
  it('REST JSON and Bulk CSV text make the same snapshot', () => {
    const s = settings({ filter: { object: 'Contact', field: 'Level__c', values: ['1'] } });
    const fields = fieldsToRead('Contact', s);
    expect(fields).toEqual(expect.arrayContaining(['Id', 'Email', 'Active__c', 'Level__c', 'SystemModstamp']));
    const rest = toSnapshot({ Id: '003A', Email: 'a@b.example', Active__c: true, Level__c: 1, SystemModstamp: '2026-03-02T10:00:00.000+0000', IsDeleted: false }, fields, s);
    const bulk = toSnapshot({ Id: '003A', Email: 'a@b.example', Active__c: 'true', Level__c: '1', SystemModstamp: '2026-03-02T10:00:00.000Z', IsDeleted: 'false' }, fields, s);
    expect(bulk).toEqual(rest);
    expect(accountDomains({ Id: '001', Website: 'https://www.Acme.example/about' } as CrmSnapshot, s)).toEqual(['acme.example']);
  });

  it('settings name cross-field problems', () => {
    expect(settingsProblems({ objects: ['Contact'], filter: { object: 'Account', field: 'Type', values: ['x'] }, customFields: [] })).toEqual([{ path: 'filter.object', problem: 'Account is not one of the synced objects' }]);
  });
});

describe('budgetDecision', () => {
  const base = { orgLimit: 1000, orgUsed: 100, share: 0.5, connectorCalls: 0, oldestCycleAtMs: null, minimumCallsForCycle: 6, nowMs: 1_000_000 };
  it('proceeds under the share, defers at it until the oldest cycle leaves the 24-hour window', () => {
    expect(budgetDecision(base)).toMatchObject({ proceed: true, allowance: 500, left: 500 });
    expect(budgetDecision({ ...base, connectorCalls: 497, oldestCycleAtMs: 500_000 })).toMatchObject({ proceed: false, binding: 'connector_share', retryAtMs: 500_000 + BUDGET_WINDOW_MS });
  });
  it('defers when the org as a whole is nearly out; proceeds before the first Sforce-Limit-Info', () => {
    expect(budgetDecision({ ...base, orgUsed: 998 })).toMatchObject({ proceed: false, binding: 'org_allowance' });
    expect(budgetDecision({ ...base, orgLimit: null })).toMatchObject({ proceed: true });
  });
});

describe('planWindow', () => {
  const t = Date.parse('2026-03-02T10:00:30Z');
  it('floors to minutes, needs more than a minute, and expires past the retention', () => {
    expect(planWindow(t - 5 * 60_000, t, 'updated')).toEqual({ kind: 'read', start: new Date('2026-03-02T09:55:00Z'), end: new Date('2026-03-02T10:00:00Z') });
    expect(planWindow(t - 20_000, t, 'updated')).toEqual({ kind: 'too_soon' });
    expect(planWindow(t - 16 * 86_400_000, t, 'deleted')).toEqual({ kind: 'expired' });
    expect(planWindow(t - 16 * 86_400_000, t, 'updated').kind).toBe('read');
    expect(planWindow(t - 31 * 86_400_000, t, 'updated')).toEqual({ kind: 'expired' });
  });
});
