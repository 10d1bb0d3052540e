/** queryAll paging past jsforce's 10 000-record autoFetch cap, resuming, SOQL windows, and retrieve chunking. */
import type { SalesforceClient } from '../../../integrations/salesforce';
import type { SalesforceEmulator } from '../../emulators/salesforce';
import { calls, clientFor, collect, startEmulator } from './helpers';

let emulator: SalesforceEmulator;
let client: SalesforceClient;
beforeEach(async () => {
  emulator = await startEmulator();
  client = clientFor(emulator);
});
afterEach(() => emulator.stop());

test('queryAll pages through 10 500 records one page per call, without truncation at 10 000', async () => {
  emulator.control.generate('Contact', 10_500);
  const pages = await collect(client.queryAll('SELECT Id, Email, IsDeleted FROM Contact'));
  const ids = pages.flatMap((p) => p.records.map((r) => r.Id));
  expect(ids).toHaveLength(10_500);
  expect(new Set(ids).size).toBe(10_500);
  expect(pages.map((p) => p.records.length)).toEqual([2000, 2000, 2000, 2000, 2000, 500]);
  expect(pages.every((p) => p.totalSize === 10_500)).toBe(true);
  expect(pages.at(-1)).toMatchObject({ done: true });
  expect(pages.at(-1)!.nextRecordsUrl).toBeUndefined();
  // The first request is queryAll; jsforce follows up with /query/<locator>, which the locator alone resolves.
  const paths = emulator.control.requests({ path: '/services/data' }).map((r) => r.path.split('?')[0]!.replace(/\/query\/.*/, '/query/<locator>'));
  expect(paths).toEqual(['/services/data/v62.0/queryAll', ...Array<string>(5).fill('/services/data/v62.0/query/<locator>')]);
});

test('a queryAll cursor keeps including deleted rows on follow-up pages, and a page can be resumed', async () => {
  emulator.control.settings({ queryPageSize: 3 });
  const ids = emulator.control.seed('Contact', Array.from({ length: 7 }, (_, i) => ({ LastName: `P${i}` })));
  emulator.control.delete([ids[5]!, ids[6]!]);
  const pages = await collect(client.queryAll('SELECT Id, IsDeleted FROM Contact ORDER BY LastName'));
  expect(pages.flatMap((p) => p.records.map((r) => r.IsDeleted))).toEqual([false, false, false, false, false, true, true]);
  const resumed = await collect(client.queryAll('ignored when resuming', { resumeFrom: pages[0]!.nextRecordsUrl }));
  expect(resumed.flatMap((p) => p.records.map((r) => r.Id))).toEqual(ids.slice(3));
  const live = await collect(client.query('SELECT Id FROM Contact'));
  expect(live.flatMap((p) => p.records)).toHaveLength(5);
});

test('SystemModstamp windows with ORDER BY, IN and parent fields', async () => {
  const [acme] = emulator.control.seed('Account', [{ Name: 'Acme', Type: 'Customer', Domains__c: 'acme.example;acme-other.example' }]);
  emulator.control.setClock('2026-03-02T10:00:10Z');
  const [a] = emulator.control.seed('Contact', [{ LastName: 'A', AccountId: acme }]);
  emulator.control.setClock('2026-03-02T10:00:20Z');
  const [b, c] = emulator.control.seed('Contact', [{ LastName: 'B' }, { LastName: 'C', AccountId: acme }]);
  emulator.control.setClock('2026-03-02T10:00:30Z');
  emulator.control.seed('Contact', [{ LastName: 'D' }]);
  const soql =
    'SELECT Id, LastName, Account.Name, Account.Domains__c, SystemModstamp FROM Contact ' +
    'WHERE SystemModstamp > 2026-03-02T10:00:05Z AND SystemModstamp <= 2026-03-02T10:00:20Z ORDER BY SystemModstamp, Id';
  const [page] = await collect(client.queryAll(soql));
  expect(page!.records).toEqual([
    { Id: a, LastName: 'A', Account: { Name: 'Acme', Domains__c: 'acme.example;acme-other.example' }, SystemModstamp: '2026-03-02T10:00:10.000+0000' },
    { Id: b, LastName: 'B', Account: null, SystemModstamp: '2026-03-02T10:00:20.000+0000' },
    { Id: c, LastName: 'C', Account: { Name: 'Acme', Domains__c: 'acme.example;acme-other.example' }, SystemModstamp: '2026-03-02T10:00:20.000+0000' },
  ]);
  // 15-char ids are accepted in IN lists, as Salesforce does.
  const [byId] = await collect(client.query(`SELECT Id FROM Contact WHERE Id IN ('${a!.slice(0, 15)}', '${c}') ORDER BY Id`));
  expect(byId!.records.map((r) => r.Id)).toEqual([a, c]);
});

test('retrieve chunks 2 100 ids into two calls of ≤ 2 000, keeps order and returns null for unknown or deleted ids', async () => {
  const { firstId } = emulator.control.generate('Contact', 2099);
  const all = emulator.control.records('Contact').map((r) => r.Id as string);
  expect(all[0]).toBe(firstId);
  emulator.control.delete([all[10]!]);
  const ids = [...all, '003000000000000AAA'];
  const rows = await client.retrieve('Contact', ids, ['Id', 'Email']);
  expect(rows).toHaveLength(2100);
  expect(rows[0]).toEqual({ Id: all[0], Email: 'contact-1@synthetic.example' });
  expect(rows[10]).toBeNull();
  expect(rows[2099]).toBeNull();
  expect(rows.filter((r) => r !== null)).toHaveLength(2098);
  expect(calls(emulator, '/composite/sobjects/Contact')).toEqual([
    'POST /services/data/v62.0/composite/sobjects/Contact 200',
    'POST /services/data/v62.0/composite/sobjects/Contact 200',
  ]);
  // fields were given: no describe round trip.
  expect(calls(emulator, '/describe')).toEqual([]);
});

test('describe lists the fields the sync engine reads', async () => {
  const contact = await client.describe('Contact');
  const byName = new Map(contact.fields.map((f) => [f.name, f]));
  expect(contact).toMatchObject({ name: 'Contact', keyPrefix: '003', replicateable: true });
  expect(byName.get('Active__c')).toMatchObject({ type: 'boolean' });
  expect(byName.get('CRM_Workflows_Id__c')).toMatchObject({ externalId: true, unique: true });
  expect(byName.get('AccountId')).toMatchObject({ type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' });
  const account = await client.describe('Account');
  expect(account.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['Domains__c', 'Active__c', 'BillingCity', 'CRM_Workflows_Id__c']));
});
