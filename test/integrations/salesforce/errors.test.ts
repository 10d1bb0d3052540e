/** classifySalesforceError maps what jsforce throws; messages never carry Salesforce's text (it can quote personal data). */
import {
  SalesforceAuthError, SalesforceCursorExpiredError, SalesforceQuotaError, SalesforceRejectedError, SalesforceSettings,
  SalesforceTransientError, classifySalesforceError,
} from '../../../integrations/salesforce';
import { proxyFor } from '../../../integrations/salesforce/transport';

/** The shape of jsforce's HttpApiError: name = errorCode = Salesforce's code, data = the error body. */
function httpApiError(errorCode: string, message: string, fields?: string[]): Error {
  const err = new Error(message) as Error & { errorCode: string; data: unknown };
  err.name = errorCode;
  err.errorCode = errorCode;
  err.data = { errorCode, message, fields };
  return err;
}

test.each([
  ['REQUEST_LIMIT_EXCEEDED', 403, SalesforceQuotaError],
  ['INVALID_SESSION_ID', 401, SalesforceAuthError],
  ['INVALID_REPLICATION_DATE', 400, SalesforceCursorExpiredError],
  ['INVALID_QUERY_LOCATOR', 400, SalesforceCursorExpiredError],
  ['SERVER_UNAVAILABLE', 503, SalesforceTransientError],
  ['UNABLE_TO_LOCK_ROW', 400, SalesforceTransientError],
  ['INVALID_FIELD', 400, SalesforceRejectedError],
  ['MALFORMED_QUERY', 400, SalesforceRejectedError],
  ['ERROR_HTTP_502', undefined, SalesforceTransientError],
  ['ERROR_HTTP_404', undefined, SalesforceRejectedError],
])('%s (HTTP %s) → %p', (code, status, type) => {
  const err = classifySalesforceError(httpApiError(code, 'Email: invalid email address: jane.doe@example.com'), { status });
  expect(err).toBeInstanceOf(type);
  expect(err.name).toBe(type.name);
  expect(err.message).not.toContain('jane.doe');
});

test('OAuth errors and the refresh delegate failure are auth errors', () => {
  const oauth = new Error('authentication failure');
  oauth.name = 'invalid_grant';
  expect(classifySalesforceError(oauth)).toMatchObject({ name: 'SalesforceAuthError', code: 'CRM_AUTH_FAILED', errorCode: 'invalid_grant' });
  expect(classifySalesforceError(new Error('Unable to refresh session due to: No refresh token found in the connection'))).toBeInstanceOf(SalesforceAuthError);
});

test('network failures are transient and keep only the error code', () => {
  const err = Object.assign(new Error('request to http://10.0.0.1/x failed, reason: socket hang up'), { name: 'FetchError', code: 'ECONNRESET', type: 'system' });
  const classified = classifySalesforceError(err);
  expect(classified).toBeInstanceOf(SalesforceTransientError);
  expect(classified.errorCode).toBe('ECONNRESET');
  expect(classified.message).not.toContain('10.0.0.1');
});

test('field names are kept, values are not', () => {
  const err = classifySalesforceError(httpApiError('STRING_TOO_LONG', 'LastName: data value too large: Smithsonian…', ['LastName']), { status: 400 });
  expect(err).toMatchObject({ fields: ['LastName'], errorCode: 'STRING_TOO_LONG', status: 400 });
  expect(err.message).toBe('Salesforce rejected the request (STRING_TOO_LONG, HTTP 400)');
});

test('settings: URL, credentials and an API version like 62.0', () => {
  expect(SalesforceSettings.parse({ loginUrl: 'https://acme.my.salesforce.com/', clientId: 'id', clientSecret: 's' })).toEqual({
    loginUrl: 'https://acme.my.salesforce.com', clientId: 'id', clientSecret: 's', apiVersion: '62.0',
  });
  expect(SalesforceSettings.safeParse({ loginUrl: 'ftp://x', clientId: 'id', clientSecret: 's' }).success).toBe(false);
  expect(SalesforceSettings.safeParse({ loginUrl: 'https://x.example', clientId: 'id', clientSecret: 's', apiVersion: 'v62' }).success).toBe(false);
  expect(SalesforceSettings.safeParse({ loginUrl: 'https://x.example', clientId: '', clientSecret: 's' }).success).toBe(false);
});

test('proxy choice: loopback and NO_PROXY hosts go direct, others through the proxy', () => {
  const saved = { ...process.env };
  try {
    Object.assign(process.env, { HTTPS_PROXY: 'http://proxy.internal:3128', NO_PROXY: '.corp.example,localhost' });
    delete process.env.https_proxy;
    delete process.env.http_proxy;
    expect(proxyFor('http://127.0.0.1:4030/services/data')).toBeUndefined();
    expect(proxyFor('https://crm.corp.example/x')).toBeUndefined();
    expect(proxyFor('https://acme.my.salesforce.com/x')).toBe('http://proxy.internal:3128');
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
});
