/** Client credentials, the per-process token cache, refresh on 401, and the guard against jsforce's endless refresh loop. */
import { SalesforceAuthError, clearSalesforceTokenCache } from '../../../integrations/salesforce';
import type { SalesforceEmulator } from '../../emulators/salesforce';
import { CREDENTIALS, clientFor, collect, startEmulator } from './helpers';

let emulator: SalesforceEmulator;
beforeEach(async () => {
  clearSalesforceTokenCache();
  emulator = await startEmulator();
  emulator.control.seed('Account', [{ Name: 'Acme', Type: 'Customer' }]);
});
afterEach(() => emulator.stop());

const tokenRequests = (): number => emulator.control.requests({ path: '/services/oauth2/token' }).length;

test('authenticates with client credentials and caches the token per login URL + client id', async () => {
  const first = clientFor(emulator);
  await collect(first.query('SELECT Id FROM Account'));
  const second = clientFor(emulator);
  const pages = await collect(second.query('SELECT Id, Name FROM Account'));
  expect(pages[0]!.records.map((r) => r.Name)).toEqual(['Acme']);
  expect(tokenRequests()).toBe(1);
  expect(first.stats().tokenRequests + second.stats().tokenRequests).toBe(1);
});

test('a revoked token is refreshed by re-granting client credentials, and the call succeeds', async () => {
  const client = clientFor(emulator);
  await collect(client.query('SELECT Id FROM Account'));
  emulator.control.revokeTokens();
  const pages = await collect(client.query('SELECT Id FROM Account'));
  expect(pages[0]!.totalSize).toBe(1);
  expect(client.stats()).toMatchObject({ refreshes: 1, tokenRequests: 2 });
  expect(emulator.control.requests().map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`).slice(-4)).toEqual([
    'GET /services/data/v62.0/query 200',
    'GET /services/data/v62.0/query 401',
    'POST /services/oauth2/token 200',
    'GET /services/data/v62.0/query 200',
  ]);
});

test('a session that is refused forever stops with CRM_AUTH_FAILED after a bounded number of token requests', async () => {
  const client = clientFor(emulator, { maxRefreshesPerCall: 2 });
  await collect(client.query('SELECT Id FROM Account'));
  emulator.control.setAuth({ rejectAllTokens: true });
  emulator.control.clearRequests();
  const err = await collect(client.query('SELECT Id FROM Account')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SalesforceAuthError);
  expect(err).toMatchObject({ name: 'SalesforceAuthError', code: 'CRM_AUTH_FAILED', retryable: false });
  // Two refreshes allowed: three attempts, two re-grants, then the guard stops jsforce.
  expect(tokenRequests()).toBe(2);
  expect(emulator.control.requests({ path: '/query' }).map((r) => r.status)).toEqual([401, 401, 401]);
});

test('the guard counts per call: a later call after the org recovers works again', async () => {
  const client = clientFor(emulator, { maxRefreshesPerCall: 1 });
  emulator.control.setAuth({ rejectAllTokens: true });
  await expect(collect(client.query('SELECT Id FROM Account'))).rejects.toBeInstanceOf(SalesforceAuthError);
  emulator.control.setAuth({ rejectAllTokens: false });
  const pages = await collect(client.query('SELECT Id FROM Account'));
  expect(pages[0]!.totalSize).toBe(1);
});

test('wrong client secret is an auth error naming the OAuth error, never the secret', async () => {
  const bad = clientFor(emulator, { settings: { loginUrl: emulator.url, clientId: CREDENTIALS.clientId, clientSecret: 'wrong-secret-value', apiVersion: '62.0' } });
  const err = (await bad.describe('Contact').catch((e: unknown) => e)) as SalesforceAuthError;
  expect(err).toBeInstanceOf(SalesforceAuthError);
  expect(err.errorCode).toBe('invalid_client');
  expect(err.message).not.toContain('wrong-secret-value');
  expect(emulator.control.requests({ path: '/services/data' })).toHaveLength(0);
});

test('proxy variables do not break loopback calls (jsforce would send them through the proxy)', async () => {
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, HTTPS_PROXY: process.env.HTTPS_PROXY, https_proxy: process.env.https_proxy };
  // Nothing listens on port 9: a proxied request would fail.
  Object.assign(process.env, { HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9' });
  try {
    const pages = await collect(clientFor(emulator).query('SELECT Id FROM Account'));
    expect(pages[0]!.totalSize).toBe(1);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
