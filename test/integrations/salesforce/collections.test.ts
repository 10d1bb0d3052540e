/** sObject Collections writes through our client: 200-row chunks, allOrNone false, per-row Salesforce error codes. */
import type { SalesforceClient, SaveResult } from '../../../integrations/salesforce';
import type { SalesforceEmulator } from '../../emulators/salesforce';
import { calls, clientFor, startEmulator } from './helpers';

let emulator: SalesforceEmulator;
let client: SalesforceClient;
beforeEach(async () => {
  emulator = await startEmulator();
  client = clientFor(emulator);
});
afterEach(() => emulator.stop());

const codes = (results: SaveResult[]): Array<string | null> => results.map((r) => (r.success ? null : r.errors.map((e) => e.statusCode).join('+')));

test('createMany sends 450 rows as 200 + 200 + 50 and reports each chunk', async () => {
  const chunks: Array<[number, number]> = [];
  const rows = Array.from({ length: 450 }, (_, i) => ({ LastName: `P${i}`, Email: `p${i}@acme.example` }));
  const results = await client.createMany('Contact', rows, { onChunk: (r, offset) => void chunks.push([offset, r.length]) });
  expect(results).toHaveLength(450);
  expect(results.every((r) => r.success && r.id?.startsWith('003'))).toBe(true);
  expect(chunks).toEqual([[0, 200], [200, 200], [400, 50]]);
  expect(calls(emulator, '/composite/sobjects', 'POST')).toHaveLength(3);
  expect(emulator.control.count('Contact')).toBe(450);
});

test('per-row errors with Salesforce codes; good rows in the same call are saved (allOrNone false)', async () => {
  const [acme] = emulator.control.seed('Account', [{ Name: 'Acme' }]);
  const [dup] = emulator.control.seed('Contact', [{ LastName: 'Existing', CRM_Workflows_Id__c: 'crm-7' }]);
  const results = await client.createMany('Contact', [
    { LastName: 'Fine', AccountId: acme },
    { LastName: 'Dup', CRM_Workflows_Id__c: 'CRM-7' },
    { FirstName: 'No last name' },
    { LastName: 'Bad', Email: 'bad@' },
    { LastName: 'Unknown', Shoe_Size__c: '44' },
  ]);
  expect(codes(results)).toEqual([null, 'DUPLICATE_VALUE', 'REQUIRED_FIELD_MISSING', 'INVALID_EMAIL_ADDRESS', 'INVALID_FIELD']);
  expect(results[1]!.errors[0]).toMatchObject({ fields: ['CRM_Workflows_Id__c'] });
  expect(results[1]!.errors[0]!.message).toContain(dup);
  expect(results[2]!.errors[0]!.fields).toEqual(['LastName']);
  expect(emulator.control.count('Contact')).toBe(2);
});

test('updateMany: ENTITY_IS_DELETED for deleted rows, MALFORMED_ID for junk, others updated', async () => {
  const [a, b] = emulator.control.seed('Contact', [{ LastName: 'A' }, { LastName: 'B' }]);
  emulator.control.delete([b!]);
  const results = await client.updateMany('Contact', [
    { Id: a!, Title: 'CEO', Active__c: false },
    { Id: b!, Title: 'CTO' },
    { Id: 'not-an-id', Title: 'x' },
  ]);
  expect(codes(results)).toEqual([null, 'ENTITY_IS_DELETED', 'MALFORMED_ID']);
  expect(results[1]!.id).toBe(b);
  expect(emulator.control.record(a!)).toMatchObject({ Title: 'CEO', Active__c: false });
});

test('upsertMany by the external id says which rows were created; a retry is idempotent', async () => {
  const rows = [{ CRM_Workflows_Id__c: 'crm-1', LastName: 'One' }, { CRM_Workflows_Id__c: 'crm-2', LastName: 'Two' }];
  const first = await client.upsertMany('Contact', 'CRM_Workflows_Id__c', rows);
  expect(first.map((r) => r.created)).toEqual([true, true]);
  const again = await client.upsertMany('Contact', 'CRM_Workflows_Id__c', rows);
  expect(again.map((r) => r.created)).toEqual([false, false]);
  expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
  expect(emulator.control.count('Contact')).toBe(2);
  expect(calls(emulator, '/composite/sobjects/Contact/CRM_Workflows_Id__c', 'PATCH')).toHaveLength(2);
});

test('deleteMany: unknown and already-deleted ids fail per row', async () => {
  const [a, b] = emulator.control.seed('Contact', [{ LastName: 'A' }, { LastName: 'B' }]);
  emulator.control.delete([b!]);
  const results = await client.deleteMany('Contact', [a!, b!, '003000000000000AAA']);
  expect(codes(results)).toEqual([null, 'ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY']);
  expect(emulator.control.record(a!)).toMatchObject({ IsDeleted: true });
});

test('a custom validation rule fails its rows with FIELD_CUSTOM_VALIDATION_EXCEPTION', async () => {
  emulator.control.setValidationRules([{ object: 'Contact', field: 'Title', equals: 'Forbidden', message: 'Title not allowed' }]);
  const results = await client.createMany('Contact', [{ LastName: 'A', Title: 'Forbidden' }, { LastName: 'B', Title: 'Fine' }]);
  expect(codes(results)).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION', null]);
});
