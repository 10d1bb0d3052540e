/**
 * Emulator behaviour as unmodified jsforce sees it (no client of ours in between), plus the HTTP control plane
 * and the synthetic-data generator used by benchmarks.
 */
import { Connection } from 'jsforce';
import type { SalesforceEmulator } from '../../emulators/salesforce';
import { idChecksum, normaliseId } from '../../emulators/salesforce';
import { CREDENTIALS, startEmulator } from './helpers';

let emulator: SalesforceEmulator;
let conn: Connection;
beforeEach(async () => {
  emulator = await startEmulator();
  conn = new Connection({ version: '62.0', oauth2: { loginUrl: emulator.url, ...CREDENTIALS } });
  await conn.authorize({ grant_type: 'client_credentials' });
});
afterEach(() => emulator.stop());

const control = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
  const res = await fetch(`${emulator.url}/__emulator${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
};

test('ids are 18 chars with the right key prefix and a valid case-safe checksum', async () => {
  expect(idChecksum('003RO0000035WQg')).toBe('YAM'); // a real Contact id from Salesforce's docs
  const res = (await conn.sobject('Account').create({ Name: 'Acme' })) as { id: string };
  expect(res.id).toMatch(/^001[A-Za-z0-9]{15}$/);
  expect(normaliseId(res.id.slice(0, 15))).toBe(res.id);
  expect(conn.userInfo?.id).toMatch(/^005/);
  expect(conn.userInfo?.organizationId).toMatch(/^00D/);
  expect(conn.instanceUrl).toBe(emulator.url);
});

test('token endpoint: password grant, refresh_token grant, OAuth error shape', async () => {
  const pw = new Connection({ version: '62.0', oauth2: { loginUrl: emulator.url, ...CREDENTIALS } });
  await pw.login('integration@emulator.invalid', 'password');
  await expect(pw.limits()).resolves.toHaveProperty('DailyApiRequests');
  const bad = new Connection({ version: '62.0', oauth2: { loginUrl: emulator.url, ...CREDENTIALS } });
  await expect(bad.login('integration@emulator.invalid', 'wrong')).rejects.toMatchObject({ name: 'invalid_grant', message: 'authentication failure' });
  const refreshToken = emulator.control.issueRefreshToken();
  const viaRefresh = new Connection({ version: '62.0', instanceUrl: emulator.url, accessToken: 'expired', refreshToken, oauth2: { loginUrl: emulator.url, ...CREDENTIALS } });
  await expect(viaRefresh.query('SELECT Id FROM Account')).resolves.toMatchObject({ totalSize: 0 });
});

test('errors are JSON arrays with Content-Type application/json', async () => {
  const res = await fetch(`${emulator.url}/services/data/v62.0/query?q=SELECT+Id+FROM+Nope`, { headers: { authorization: `Bearer ${conn.accessToken}` } });
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/100000$/);
  expect(await res.json()).toEqual([{ message: "sObject type 'Nope' is not supported.", errorCode: 'INVALID_TYPE' }]);
  const unauth = await fetch(`${emulator.url}/services/data/v62.0/limits`);
  expect(unauth.status).toBe(401);
  expect(await unauth.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
});

test('allOrNone true rolls the whole collection back', async () => {
  const results = await conn.sobject('Contact').create([{ LastName: 'Ok' }, { FirstName: 'Missing' }], { allOrNone: true });
  // The wire says `statusCode` in collection items (jsforce's SaveError type calls it errorCode).
  expect(results.map((r) => (r.success ? 'ok' : (r.errors[0] as unknown as { statusCode: string }).statusCode))).toEqual(['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'REQUIRED_FIELD_MISSING']);
  expect(emulator.control.count('Contact')).toBe(0);
});

test('single-record CRUD: 201 create, 204 update/delete, ENTITY_IS_DELETED on a deleted record', async () => {
  const { id } = (await conn.sobject('Contact').create({ LastName: 'Solo', Email: 'solo@acme.example' })) as { id: string };
  await conn.sobject('Contact').update({ Id: id, Title: 'Lead Engineer' });
  expect(await conn.sobject('Contact').retrieve(id, { fields: ['Title', 'Name'] })).toMatchObject({ Title: 'Lead Engineer', Name: 'Solo' });
  await conn.sobject('Contact').destroy(id);
  await expect(conn.sobject('Contact').retrieve(id)).rejects.toMatchObject({ errorCode: 'ENTITY_IS_DELETED' });
  const upsert = (await conn.sobject('Contact').upsert({ CRM_Workflows_Id__c: 'ext-9', LastName: 'Ext' }, 'CRM_Workflows_Id__c')) as { created?: boolean };
  expect(upsert.created).toBe(true);
});

test('SOQL subset: COUNT(), LIKE, NOT IN, OR with parentheses, booleans, null, LIMIT/OFFSET', async () => {
  emulator.control.seed('Contact', [
    { LastName: 'Ada', Email: 'ada@acme.example', Active__c: true },
    { LastName: 'Bob', Email: 'bob@other.example', Active__c: false },
    { LastName: 'Cy', Email: null, HasOptedOutOfEmail: true },
    { LastName: 'Di', Email: 'di@acme.example', Title: 'CFO' },
  ]);
  const names = async (soql: string): Promise<string[]> => (await conn.query<{ LastName: string }>(soql)).records.map((r) => r.LastName);
  expect((await conn.query('SELECT COUNT() FROM Contact WHERE Email LIKE \'%@acme.example\'')).totalSize).toBe(2);
  expect(await names("SELECT LastName FROM Contact WHERE Email = null OR (Active__c = false AND Email != 'x') ORDER BY LastName")).toEqual(['Bob', 'Cy']);
  expect(await names("SELECT LastName FROM Contact WHERE LastName NOT IN ('Ada', 'Bob') AND NOT HasOptedOutOfEmail = true")).toEqual(['Di']);
  expect(await names('SELECT LastName FROM Contact ORDER BY LastName DESC LIMIT 2 OFFSET 1')).toEqual(['Cy', 'Bob']);
  expect(await names("SELECT LastName FROM Contact WHERE Title = null AND email like 'A%' ")).toEqual(['Ada']);
  await expect(conn.query('SELECT Id FROM Contact WHERE (LastName = \'x\'')).rejects.toMatchObject({ errorCode: 'MALFORMED_QUERY' });
});

test('jsforce bulk2.query works on a single-page result (Sforce-Locator: null ends its loop)', async () => {
  emulator.control.generate('Contact', 3);
  const records = (await (await conn.bulk2.query('SELECT Id, Email FROM Contact')).toArray()) as Array<{ Email: string }>;
  expect(records.map((r) => r.Email)).toEqual(['contact-1@synthetic.example', 'contact-2@synthetic.example', 'contact-3@synthetic.example']);
});

test('control plane over HTTP: seed, clock, merge, undelete, purge, limits, faults, journal, reset', async () => {
  const seeded = await control('POST', '/records', { object: 'Contact', records: [{ LastName: 'W' }, { LastName: 'L' }] });
  const [w, l] = (seeded.json as { ids: string[] }).ids;
  expect((await control('PUT', '/clock', { now: '2026-04-01T00:00:00Z' })).json).toEqual({ now: '2026-04-01T00:00:00.000Z' });
  expect((await control('POST', '/clock/advance', { minutes: 5 })).json).toEqual({ now: '2026-04-01T00:05:00.000Z' });
  expect((await control('POST', '/merge', { object: 'Contact', winnerId: w, loserIds: [l] })).json).toEqual({ winnerId: w, mergedIds: [l] });
  expect((await control('GET', `/records/Contact/${l}`)).json).toMatchObject({ IsDeleted: true, MasterRecordId: w, SystemModstamp: '2026-04-01T00:05:00.000+0000' });
  await control('POST', '/undelete', { ids: [l] });
  expect(emulator.control.record(l!)).toMatchObject({ IsDeleted: false });
  expect((await control('POST', '/purge', { ids: [l] })).json).toEqual({ purged: 1 });
  expect(emulator.control.record(l!)).toBeUndefined();
  expect((await control('PUT', '/limits', { dailyApiRequests: { max: 50, used: 49 } })).json).toEqual({ dailyApiRequests: { max: 50, used: 49 } });
  expect((await control('POST', '/faults', { method: 'GET', path: '/limits', kind: 'status', status: 500, times: 1 })).status).toBe(201);
  const failed = await fetch(`${emulator.url}/services/data/v62.0/limits`, { headers: { authorization: `Bearer ${conn.accessToken}` } });
  expect(failed.status).toBe(500);
  const journal = (await control('GET', '/requests?path=/limits')).json as Array<{ method: string; status: number }>;
  expect(journal.map((j) => [j.method, j.status])).toEqual([['GET', 500]]);
  expect((await control('POST', '/generate', { object: 'Lead', count: 3 })).json).toMatchObject({ count: 3 });
  await control('POST', '/reset');
  expect(emulator.control.count('Contact')).toBe(0);
  expect(emulator.control.count('Lead')).toBe(0);
  expect((await control('GET', '/requests')).json).toEqual([]);
});

test('generate makes 100 000 Contacts quickly', async () => {
  const started = Date.now();
  const { count } = emulator.control.generate('Contact', 100_000);
  const elapsed = Date.now() - started;
  expect(count).toBe(100_000);
  // Generous bound: the point is "a benchmark does not wait on setup", not a micro-benchmark.
  expect(elapsed).toBeLessThan(5_000);
  expect(emulator.control.count('Contact')).toBe(100_000);
});
