/**
 * One jsforce Connection per client, authenticated with the OAuth 2.0 client-credentials grant.
 * Tokens are cached per process (keyed by login URL + client id) so clients created per activity reuse
 * them; on a 401 jsforce calls our refresh function, which re-grants (client credentials issue no refresh
 * token) and, past `maxRefreshesPerCall` consecutive refreshes within one call, gives up: jsforce would
 * otherwise refresh and replay forever.
 */
import { Connection } from 'jsforce';
import { currentCall } from './call-context';
import type { SalesforceSettings } from './settings';
import { SalesforceTransport, type TransportHooks } from './transport';

interface CachedToken {
  accessToken: string;
  instanceUrl: string;
}

const tokenCache = new Map<string, CachedToken>();
const cacheKey = (s: SalesforceSettings): string => `${s.loginUrl}|${s.clientId}`;

/** Tests: forget every cached token (a new process would). */
export function clearSalesforceTokenCache(): void {
  tokenCache.clear();
}

export interface SessionOptions {
  settings: SalesforceSettings;
  requestTimeoutMs: number;
  maxRefreshesPerCall: number;
  hooks: TransportHooks & { onTokenRequest(): void; onRefresh(): void };
}

export class SalesforceSession {
  readonly conn: Connection;
  private ready: Promise<void> | undefined;

  constructor(private readonly opts: SessionOptions) {
    const { settings } = opts;
    const key = cacheKey(settings);
    const cached = tokenCache.get(key);
    this.conn = new Connection({
      version: settings.apiVersion,
      loginUrl: settings.loginUrl,
      oauth2: { loginUrl: settings.loginUrl, clientId: settings.clientId, clientSecret: settings.clientSecret },
      ...(cached ? { instanceUrl: cached.instanceUrl, accessToken: cached.accessToken } : {}),
      refreshFn: (conn, callback) => {
        this.refresh().then(
          (token) => callback(null, token),
          (err: unknown) => callback(err instanceof Error ? err : new Error('refresh failed')),
        );
      },
    });
    const apiTransport = new SalesforceTransport('api', opts.requestTimeoutMs, opts.hooks);
    const oauthTransport = new SalesforceTransport('oauth', opts.requestTimeoutMs, opts.hooks);
    this.conn._transport = apiTransport;
    this.conn.oauth2._transport = oauthTransport;
    if (cached) this.ready = Promise.resolve();
  }

  /** Authenticates on first use (once, even with concurrent callers). */
  ensure(): Promise<void> {
    this.ready ??= this.grant().then(
      () => undefined,
      (err: unknown) => {
        this.ready = undefined;
        throw err;
      },
    );
    return this.ready;
  }

  private async grant(): Promise<string> {
    const key = cacheKey(this.opts.settings);
    this.opts.hooks.onTokenRequest();
    try {
      await this.conn.authorize({ grant_type: 'client_credentials' });
    } catch (err) {
      tokenCache.delete(key);
      throw err;
    }
    const accessToken = this.conn.accessToken!;
    tokenCache.set(key, { accessToken, instanceUrl: this.conn.instanceUrl });
    return accessToken;
  }

  private async refresh(): Promise<string> {
    const ctx = currentCall();
    if (ctx) {
      if (ctx.refreshes >= this.opts.maxRefreshesPerCall) {
        ctx.authGuardTripped = true;
        throw new Error('session refresh limit reached');
      }
      ctx.refreshes++;
    }
    this.opts.hooks.onRefresh();
    // Another client of this process may already hold a newer token than the one that just failed.
    const cached = tokenCache.get(cacheKey(this.opts.settings));
    if (cached && cached.accessToken !== this.conn.accessToken) {
      this.conn.instanceUrl = cached.instanceUrl;
      return cached.accessToken;
    }
    return this.grant();
  }
}
