/**
 * Bulk API 2.0 through our client: a multi-page query read page by page (jsforce's bulk2.query would crash
 * the process on page 2), resuming a job, and ingest with partial row failures read back.
 */
import { SalesforceRejectedError, type SalesforceClient } from '../../../integrations/salesforce';
import type { SalesforceEmulator } from '../../emulators/salesforce';
import { clientFor, collect, startEmulator } from './helpers';

let emulator: SalesforceEmulator;
let client: SalesforceClient;
beforeEach(async () => {
  emulator = await startEmulator({ settings: { bulkPollsUntilComplete: 2 } });
  client = clientFor(emulator);
});
afterEach(() => emulator.stop());

test('bulk query of 5 000 records in pages of 1 000: five pages, each its own request, nothing lost', async () => {
  emulator.control.generate('Contact', 5000);
  const created: string[] = [];
  const pages = await collect(client.bulkQuery('SELECT Id, Email, Active__c, MasterRecordId FROM Contact', { pageSize: 1000, onJobCreated: (id) => void created.push(id) }));
  expect(pages.map((p) => p.records.length)).toEqual([1000, 1000, 1000, 1000, 1000]);
  const ids = pages.flatMap((p) => p.records.map((r) => r.Id));
  expect(new Set(ids).size).toBe(5000);
  expect(pages[0]!.records[0]).toEqual({ Id: ids[0], Email: 'contact-1@synthetic.example', Active__c: 'true', MasterRecordId: null });
  expect(pages[0]!.locator).toBeNull();
  expect(pages.at(-1)!.nextLocator).toBeNull();
  for (let i = 1; i < pages.length; i++) expect(pages[i]!.locator).toBe(pages[i - 1]!.nextLocator);
  expect(created).toEqual([pages[0]!.jobId]);
  const results = emulator.control.requests({ path: '/results' });
  expect(results).toHaveLength(5);
  expect(results.every((r) => r.path.includes('maxRecords=1000'))).toBe(true);
  // Polled through InProgress (two status reads) before reading results.
  expect(emulator.control.requests({ path: `/jobs/query/${pages[0]!.jobId}`, method: 'GET' }).filter((r) => !r.path.includes('/results'))).toHaveLength(3);
});

test('a bulk query resumes from a job id and locator (e.g. after a worker crash)', async () => {
  emulator.control.generate('Contact', 2500);
  const iterator = client.bulkQuery('SELECT Id FROM Contact', { pageSize: 1000 });
  const first = (await iterator.next()).value as { jobId: string; nextLocator: string };
  await iterator.return(undefined);
  const rest = await collect(client.bulkQuery('unused', { jobId: first.jobId, locator: first.nextLocator, pageSize: 1000 }));
  expect(rest.map((p) => p.records.length)).toEqual([1000, 500]);
  expect(emulator.control.requests({ path: '/jobs/query', method: 'POST' })).toHaveLength(1);
});

test('queryAll bulk jobs include deleted and merged rows', async () => {
  const [w, l] = emulator.control.seed('Contact', [{ LastName: 'W' }, { LastName: 'L' }]);
  emulator.control.merge('Contact', w!, [l!]);
  const live = await collect(client.bulkQuery('SELECT Id FROM Contact'));
  expect(live.flatMap((p) => p.records.map((r) => r.Id))).toEqual([w]);
  const all = await collect(client.bulkQuery('SELECT Id, IsDeleted, MasterRecordId FROM Contact ORDER BY LastName', { includeDeleted: true }));
  expect(all.flatMap((p) => p.records)).toEqual([
    { Id: l, IsDeleted: 'true', MasterRecordId: w },
    { Id: w, IsDeleted: 'false', MasterRecordId: null },
  ]);
});

test('a malformed bulk query is rejected when the job is created', async () => {
  await expect(collect(client.bulkQuery('SELECT Nope__c FROM Contact'))).rejects.toMatchObject({ name: 'SalesforceRejectedError', errorCode: 'INVALID_FIELD' });
});

test('bulk ingest: normalised columns, null as #N/A, partial row failures read back with their codes', async () => {
  const result = await client.bulkIngest('Contact', 'insert', [
    { LastName: 'Good', Email: 'good@acme.example', HasOptedOutOfEmail: true },
    { LastName: null, Email: 'no-name@acme.example' },
    { LastName: 'Bad Email', Email: 'not-an-email' },
    // A key only on a later row still becomes a column (jsforce would drop it).
    { LastName: 'Titled', Title: 'CFO' },
  ]);
  expect(result.state).toBe('JobComplete');
  expect(result.successful.map((s) => s.record.LastName)).toEqual(['Good', 'Titled']);
  expect(result.successful.every((s) => s.created && s.id.startsWith('003'))).toBe(true);
  expect(result.failed.map((f) => f.errors.map((e) => e.statusCode))).toEqual([['REQUIRED_FIELD_MISSING'], ['INVALID_EMAIL_ADDRESS']]);
  expect(result.failed[0]!.errors[0]!.fields).toEqual(['LastName']);
  expect(result.failed[0]!.record.LastName).toBe('#N/A');
  expect(result.unprocessed).toEqual([]);
  const titled = emulator.control.records('Contact').find((r) => r.LastName === 'Titled');
  expect(titled).toMatchObject({ Title: 'CFO', Email: null, HasOptedOutOfEmail: false });
  expect(emulator.control.records('Contact').find((r) => r.LastName === 'Good')).toMatchObject({ HasOptedOutOfEmail: true });
});

test('bulk upsert by external id and update where an empty cell leaves the value unchanged', async () => {
  const [existing] = emulator.control.seed('Contact', [{ LastName: 'Old', Title: 'Keep me', CRM_Workflows_Id__c: 'crm-1' }]);
  const upsert = await client.bulkIngest('Contact', 'upsert', [{ CRM_Workflows_Id__c: 'crm-1', LastName: 'New' }, { CRM_Workflows_Id__c: 'crm-2', LastName: 'Second' }], { externalIdField: 'CRM_Workflows_Id__c' });
  expect(upsert.successful.map((s) => [s.id === existing, s.created])).toEqual([[true, false], [false, true]]);
  expect(emulator.control.record(existing!)).toMatchObject({ LastName: 'New', Title: 'Keep me' });
  const deleted = await client.bulkIngest('Contact', 'delete', [{ Id: existing! }, { Id: '003000000000000AAA' }]);
  expect(deleted.successful.map((s) => s.id)).toEqual([existing]);
  expect(deleted.failed).toHaveLength(1);
  expect(emulator.control.record(existing!)).toMatchObject({ IsDeleted: true });
});

test('a failed ingest job returns its rows as unprocessed', async () => {
  emulator.control.settings({ failNextIngestJob: 'InvalidBatch : simulated failure' });
  const result = await client.bulkIngest('Contact', 'insert', [{ LastName: 'A' }, { LastName: 'B' }]);
  expect(result).toMatchObject({ state: 'Failed', successful: [], failed: [] });
  expect(result.unprocessed).toEqual([{ LastName: 'A' }, { LastName: 'B' }]);
});

test('a bulk job that never finishes times out as transient, without deleting the job', async () => {
  emulator.control.settings({ bulkPollsUntilComplete: 1000 });
  const err = await collect(client.bulkQuery('SELECT Id FROM Contact', { pollIntervalMs: 10, pollTimeoutMs: 50 })).catch((e: unknown) => e);
  expect(err).toMatchObject({ name: 'SalesforceTransientError', errorCode: 'BULK_POLL_TIMEOUT', retryable: true });
  expect(emulator.control.requests({ method: 'DELETE' })).toEqual([]);
  expect(err).not.toBeInstanceOf(SalesforceRejectedError);
});
