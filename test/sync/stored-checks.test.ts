/**
 * The compact form in which sync_records keeps a decision's rule checks: read back, they are the checks
 * the rules reported (and rows in the full form read the same).
 */
import { decideInbound } from '../../domain/sync/rules';
import { DEFAULT_SYNC_SETTINGS } from '../../domain/sync/settings';
import { compactChecks, expandChecks } from '../../domain/sync/stored-checks';
import type { CrmSnapshot } from '../../domain/sync/snapshot';

it('stores passing checks by rule name and reads them back as the checks the rules reported', () => {
  const snapshot = { Id: '003A', AccountId: '001A', FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@acme.example', Active__c: false, IsDeleted: false, MasterRecordId: null } as CrmSnapshot;
  const decision = decideInbound({
    object: 'Contact',
    snapshot,
    settings: DEFAULT_SYNC_SETTINGS,
    linkedLocalId: null,
    account: { snapshot: null, status: 'synced', localCompanyId: 'c1' },
    erased: false,
    sameEmailSameObject: [],
    contactHasEmail: false,
    emailMatches: [],
    lookalikes: [],
  });
  const stored = JSON.parse(JSON.stringify(compactChecks(decision.checks)));
  expect(stored.some((c: unknown) => typeof c === 'string')).toBe(true);
  expect(stored.some((c: unknown) => typeof c === 'object')).toBe(true);
  const norm = (c: { rule: string; pass: boolean; code?: string | null; detail?: string; blocking?: boolean }) => ({ rule: c.rule, pass: c.pass, code: c.code ?? null, detail: c.detail, blocking: c.blocking !== false });
  expect(expandChecks(stored).map(norm)).toEqual(decision.checks.map(norm));
  // Rows written before (and by other writers) keep every check whole.
  expect(expandChecks(decision.checks).map(norm)).toEqual(decision.checks.map(norm));
});
