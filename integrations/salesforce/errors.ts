/**
 * Typed Salesforce errors and the mapping from jsforce's errors. Every class has an explicit `name`
 * (Temporal uses it as the failure type, e.g. for nonRetryableErrorTypes) and a `code`.
 * Messages carry only the Salesforce error code, the HTTP status and a generic text: Salesforce messages
 * can quote record values (e.g. "invalid email address: …"), which are personal data. No `cause` is kept
 * for the same reason (Temporal serialises cause chains).
 */

export interface ApiUsage {
  used: number;
  limit: number;
}

export interface SalesforceErrorDetails {
  /** Salesforce's errorCode (e.g. INVALID_FIELD) or OAuth `error` (e.g. invalid_client), when known. */
  errorCode?: string;
  status?: number;
  /** Field names Salesforce named (never values). */
  fields?: string[];
}

export abstract class SalesforceError extends Error {
  abstract override readonly name: string;
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  readonly errorCode?: string;
  readonly status?: number;
  readonly fields?: string[];

  constructor(message: string, details: SalesforceErrorDetails = {}) {
    super(message);
    this.errorCode = details.errorCode;
    this.status = details.status;
    this.fields = details.fields;
  }
}

const suffix = (d: SalesforceErrorDetails): string =>
  [d.errorCode, d.status ? `HTTP ${d.status}` : undefined].filter(Boolean).join(', ');
const withSuffix = (text: string, d: SalesforceErrorDetails): string => (suffix(d) ? `${text} (${suffix(d)})` : text);

/** Credentials refused, or the session kept failing after refreshes (the refresh-loop guard tripped). Not retryable. */
export class SalesforceAuthError extends SalesforceError {
  override readonly name = 'SalesforceAuthError';
  readonly code = 'CRM_AUTH_FAILED';
  readonly retryable = false;
  constructor(details: SalesforceErrorDetails = {}, text = 'Salesforce authentication failed') {
    super(withSuffix(text, details), details);
  }
}

/** The org's daily API allowance is used up (REQUEST_LIMIT_EXCEEDED): back off for hours, not seconds. */
export class SalesforceQuotaError extends SalesforceError {
  override readonly name = 'SalesforceQuotaError';
  readonly code = 'REQUEST_LIMIT_EXCEEDED';
  readonly retryable = false;
  constructor(
    details: SalesforceErrorDetails = {},
    readonly usage?: ApiUsage,
  ) {
    super(withSuffix(`Salesforce API request limit exceeded${usage ? ` (${usage.used}/${usage.limit} used)` : ''}`, details), { errorCode: 'REQUEST_LIMIT_EXCEEDED', ...details });
  }
}

/** 5xx, network failures, timeouts, lock contention, bulk polling timeouts: retry later. */
export class SalesforceTransientError extends SalesforceError {
  override readonly name = 'SalesforceTransientError';
  readonly code = 'CRM_UNAVAILABLE';
  readonly retryable = true;
  constructor(details: SalesforceErrorDetails = {}, text = 'Salesforce is temporarily unavailable') {
    super(withSuffix(text, details), details);
  }
}

/** A replication window or query cursor Salesforce no longer serves: resync from a snapshot. */
export class SalesforceCursorExpiredError extends SalesforceError {
  override readonly name = 'SalesforceCursorExpiredError';
  readonly code = 'CURSOR_EXPIRED';
  readonly retryable = false;
  constructor(details: SalesforceErrorDetails = {}, text = 'Salesforce no longer serves this cursor or date range') {
    super(withSuffix(text, details), details);
  }
}

/** Any other 4xx: the request is wrong for this org (unknown field, malformed query, no access…). */
export class SalesforceRejectedError extends SalesforceError {
  override readonly name = 'SalesforceRejectedError';
  readonly code = 'CRM_REJECTED';
  readonly retryable = false;
  constructor(details: SalesforceErrorDetails = {}, text = 'Salesforce rejected the request') {
    super(withSuffix(text, details), details);
  }
}

/** OAuth `error` values of the token endpoint. */
const OAUTH_ERRORS = new Set(['invalid_client', 'invalid_client_id', 'invalid_grant', 'unsupported_grant_type', 'invalid_request', 'inactive_user', 'inactive_org', 'unauthorized_client']);
const CURSOR_CODES = new Set(['INVALID_REPLICATION_DATE', 'INVALID_QUERY_LOCATOR', 'INVALID_LOCATOR']);
const TRANSIENT_CODES = new Set(['SERVER_UNAVAILABLE', 'UNABLE_TO_LOCK_ROW', 'REQUEST_RUNNING_TOO_LONG', 'QUERY_TIMEOUT', 'JobPollingTimeout', 'UNKNOWN_EXCEPTION']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'ENETDOWN', 'ENETUNREACH', 'EHOSTDOWN', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

export interface ClassifyHints {
  /** HTTP status of the failed response, when the caller saw it. */
  status?: number;
  /** Latest Sforce-Limit-Info, for quota errors. */
  usage?: ApiUsage;
  /** The refresh guard tripped during this call. */
  authGuardTripped?: boolean;
}

/** Maps anything jsforce (or node-fetch under it) throws to one of the typed errors above. */
export function classifySalesforceError(err: unknown, hints: ClassifyHints = {}): SalesforceError {
  if (err instanceof SalesforceError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; errorCode?: unknown; code?: unknown; type?: unknown; message?: unknown; data?: unknown };
  const name = typeof e.name === 'string' ? e.name : '';
  const errorCode = typeof e.errorCode === 'string' ? e.errorCode : name;
  const message = typeof e.message === 'string' ? e.message : '';
  const httpStatus = /^ERROR_HTTP_(\d{3})$/.exec(errorCode)?.[1];
  const status = hints.status ?? (httpStatus ? Number(httpStatus) : undefined);
  const data = e.data as { fields?: unknown } | undefined;
  const fields = Array.isArray(data?.fields) ? data.fields.filter((f): f is string => typeof f === 'string') : undefined;
  const known = errorCode && !/^(Error|TypeError|FetchError|AbortError)$/.test(errorCode) && !httpStatus ? errorCode : undefined;
  const details: SalesforceErrorDetails = { errorCode: known, status, fields };

  if (hints.authGuardTripped) return new SalesforceAuthError(details, 'Salesforce kept refusing the session after refreshing it');
  if (errorCode === 'REQUEST_LIMIT_EXCEEDED') return new SalesforceQuotaError(details, hints.usage);
  if (errorCode === 'INVALID_SESSION_ID' || OAUTH_ERRORS.has(errorCode) || message.startsWith('Unable to refresh session') || status === 401) {
    return new SalesforceAuthError(details);
  }
  if (CURSOR_CODES.has(errorCode)) return new SalesforceCursorExpiredError(details);
  const networkCode = typeof e.code === 'string' ? e.code : undefined;
  if (
    TRANSIENT_CODES.has(errorCode) ||
    (status !== undefined && (status >= 500 || status === 429 || status === 420)) ||
    name === 'FetchError' ||
    name === 'AbortError' ||
    (networkCode !== undefined && NETWORK_CODES.has(networkCode))
  ) {
    return new SalesforceTransientError({ ...details, errorCode: known ?? networkCode });
  }
  if (known || (status !== undefined && status >= 400)) return new SalesforceRejectedError(details);
  // Not an HTTP answer and not a known network failure: treat as transient I/O trouble, without its text.
  return new SalesforceTransientError({ ...details, errorCode: networkCode }, 'Salesforce call failed unexpectedly');
}
