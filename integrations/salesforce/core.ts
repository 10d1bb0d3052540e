/**
 * What every operation shares: the authenticated session, `call()` (auth first, per-call context, errors
 * classified), raw REST requests for the endpoints jsforce handles badly, response validation and counters.
 */
import type { Connection } from 'jsforce';
import HttpApi from 'jsforce/lib/http-api';
import type { z } from 'zod';
import { currentCall, runInCall } from './call-context';
import { SalesforceRejectedError, classifySalesforceError, type ApiUsage } from './errors';
import { SalesforceSession } from './session';
import type { SalesforceSettings } from './settings';

export interface SalesforceCallStats {
  /** HTTP requests sent to the REST/Bulk API (jsforce's silent retries included; token requests excluded). */
  apiCalls: number;
  tokenRequests: number;
  refreshes: number;
}

export interface CoreOptions {
  settings: SalesforceSettings;
  onUsage?: (usage: ApiUsage) => void;
  requestTimeoutMs?: number;
  maxRefreshesPerCall?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class ClientCore {
  readonly settings: SalesforceSettings;
  readonly stats: SalesforceCallStats = { apiCalls: 0, tokenRequests: 0, refreshes: 0 };
  usage: ApiUsage | undefined;
  /** The CRM's clock minus ours (ms), from the last response's Date header. */
  serverClockSkewMs: number | undefined;
  readonly sleep: (ms: number) => Promise<void>;
  private readonly session: SalesforceSession;

  constructor(opts: CoreOptions) {
    this.settings = opts.settings;
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.session = new SalesforceSession({
      settings: opts.settings,
      requestTimeoutMs: opts.requestTimeoutMs ?? 120_000,
      maxRefreshesPerCall: opts.maxRefreshesPerCall ?? 2,
      hooks: {
        onApiCall: () => void this.stats.apiCalls++,
        onTokenRequest: () => void this.stats.tokenRequests++,
        onRefresh: () => void this.stats.refreshes++,
        onUsage: (usage) => {
          this.usage = usage;
          opts.onUsage?.(usage);
        },
        onServerDate: (serverMs, localMs) => {
          this.serverClockSkewMs = serverMs - localMs;
        },
      },
    });
  }

  get conn(): Connection {
    return this.session.conn;
  }

  /** Runs one logical operation: authenticates if needed; any failure becomes a typed SalesforceError. */
  call<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    return runInCall(async () => {
      try {
        await this.session.ensure();
        return await fn(this.conn);
      } catch (err) {
        const ctx = currentCall();
        throw classifySalesforceError(err, { status: ctx?.lastStatus, usage: this.usage, authGuardTripped: ctx?.authGuardTripped });
      }
    });
  }

  url(path: string): string {
    return `${this.conn.instanceUrl}/services/data/v${this.settings.apiVersion}${path}`;
  }

  /** JSON request through jsforce (Bearer token, 401 refresh, JSON error parsing). */
  requestJson(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    return this.conn.request({
      method,
      url: this.url(path),
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json; charset=utf-8' } }),
    }) as Promise<unknown>;
  }

  /** A request whose body is text (CSV), returned raw with the response headers (e.g. Sforce-Locator). */
  async requestText(method: 'GET' | 'PUT', path: string, opts: { body?: string; contentType?: string; accept?: string } = {}): Promise<{ text: string; headers: Record<string, string> }> {
    const api = new HttpApi(this.conn, { responseType: 'text/plain' });
    let headers: Record<string, string> = {};
    api.on('response', (res: { headers: Record<string, string> }) => {
      headers = res.headers;
    });
    const text = await api.request<string>({
      method,
      url: this.url(path),
      headers: { ...(opts.accept ? { Accept: opts.accept } : {}), ...(opts.contentType ? { 'Content-Type': opts.contentType } : {}) },
      ...(opts.body !== undefined ? { body: opts.body } : {}),
    });
    return { text: typeof text === 'string' ? text : '', headers };
  }

  /** Validates a response against the wire contract; a mismatch is a rejected (non-retryable) call. */
  parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
    const result = schema.safeParse(value);
    if (!result.success) throw new SalesforceRejectedError({ errorCode: 'UNEXPECTED_RESPONSE' }, `Salesforce answered ${what} in an unexpected shape`);
    return result.data;
  }
}
