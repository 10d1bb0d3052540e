/** API usage reporting, the daily limit, and transient failures (jsforce retries GETs itself, never POSTs). */
import { SalesforceQuotaError, SalesforceTransientError, type ApiUsage, type SalesforceClient } from '../../../integrations/salesforce';
import type { SalesforceEmulator } from '../../emulators/salesforce';
import { calls, clientFor, collect, startEmulator } from './helpers';

let emulator: SalesforceEmulator;
let client: SalesforceClient;
let usages: ApiUsage[];
beforeEach(async () => {
  emulator = await startEmulator({ dailyApiRequests: 15_000 });
  usages = [];
  client = clientFor(emulator, { onUsage: (u) => void usages.push(u) });
});
afterEach(() => emulator.stop());

test('Sforce-Limit-Info is reported after each REST call and calls are counted', async () => {
  emulator.control.setLimits({ dailyApiRequests: { used: 10_000 } });
  await collect(client.query('SELECT Id FROM Contact'));
  await client.describe('Contact');
  expect(usages).toEqual([{ used: 10_001, limit: 15_000 }, { used: 10_002, limit: 15_000 }]);
  expect(client.usage()).toEqual({ used: 10_002, limit: 15_000 });
  expect(client.stats()).toMatchObject({ apiCalls: 2, tokenRequests: 1 });
  const limits = await client.limits();
  expect(limits.dailyApiRequests).toEqual({ max: 15_000, remaining: 4_997, used: 10_003 });
});

test('the daily allowance used up: 403 REQUEST_LIMIT_EXCEEDED → SalesforceQuotaError with usage', async () => {
  emulator.control.setLimits({ dailyApiRequests: { max: 100, used: 100 } });
  const err = (await client.describe('Contact').catch((e: unknown) => e)) as SalesforceQuotaError;
  expect(err).toBeInstanceOf(SalesforceQuotaError);
  expect(err).toMatchObject({ name: 'SalesforceQuotaError', code: 'REQUEST_LIMIT_EXCEEDED', status: 403, retryable: false, usage: { used: 101, limit: 100 } });
  // jsforce does not retry a 403.
  expect(calls(emulator, '/describe')).toEqual(['GET /services/data/v62.0/sobjects/Contact/describe 403']);
});

test('503 on a POST surfaces as SalesforceTransientError after one request (jsforce does not retry POST)', async () => {
  emulator.control.addFault({ method: 'POST', path: '/composite/sobjects', kind: 'status', status: 503 });
  const err = await client.createMany('Contact', [{ LastName: 'A' }]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SalesforceTransientError);
  expect(err).toMatchObject({ status: 503, retryable: true, code: 'CRM_UNAVAILABLE' });
  expect(calls(emulator, '/composite/sobjects', 'POST')).toEqual(['POST /services/data/v62.0/composite/sobjects 503']);
  expect(emulator.control.count('Contact')).toBe(0);
  // The next attempt goes through.
  await expect(client.createMany('Contact', [{ LastName: 'A' }])).resolves.toMatchObject([{ success: true }]);
});

test('503 on a GET is retried by jsforce; every attempt is counted as an API call', async () => {
  emulator.control.addFault({ method: 'GET', path: '/sobjects/Contact/describe', kind: 'status', status: 503, times: 1 });
  await expect(client.describe('Contact')).resolves.toMatchObject({ name: 'Contact' });
  expect(calls(emulator, '/describe').map((c) => c.split(' ').at(-1))).toEqual(['503', '200']);
  expect(client.stats().apiCalls).toBe(2);
});

test('a request that is never answered times out as transient', async () => {
  const slow = clientFor(emulator, { requestTimeoutMs: 300 });
  emulator.control.addFault({ method: 'POST', path: '/composite/sobjects/Contact', kind: 'timeout' });
  const err = await slow.retrieve('Contact', ['003000000000000AAA'], ['Id']).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SalesforceTransientError);
});

test('a dropped connection on a POST is transient', async () => {
  emulator.control.addFault({ method: 'POST', path: '/jobs/query', kind: 'reset' });
  const err = await collect(client.bulkQuery('SELECT Id FROM Contact')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SalesforceTransientError);
  expect((err as Error).message).not.toMatch(/127\.0\.0\.1/);
});
