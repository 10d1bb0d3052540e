/**
 * The jsforce transport our connections use: every HTTP exchange with Salesforce passes here, so this is
 * where API calls are counted (including jsforce's own silent retries), `Sforce-Limit-Info` is read (also on
 * Bulk 2.0 traffic, which jsforce's limitInfo misses), the status is kept for error classification, a
 * per-request timeout is set (jsforce's default is 30 minutes), and proxies are chosen per URL: jsforce
 * applies HTTP(S)_PROXY to every request and ignores NO_PROXY (salesforce-wire.md TL;DR 15).
 */
import type { Duplex } from 'node:stream';
import { Transport } from 'jsforce/lib/transport';
import type { HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce/lib/types';
import { currentCall } from './call-context';
import type { ApiUsage } from './errors';

export interface TransportHooks {
  /** One HTTP request sent to the API (retries included). Token requests are not API calls. */
  onApiCall(): void;
  onUsage(usage: ApiUsage): void;
  /** The CRM's clock from a response's Date header (ms), and ours when it arrived. */
  onServerDate?(serverMs: number, localMs: number): void;
}

const USAGE_RE = /api-usage=(\d+)\/(\d+)/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function envProxy(): string | undefined {
  return process.env.https_proxy || process.env.http_proxy || process.env.HTTPS_PROXY || process.env.HTTP_PROXY || undefined;
}

/** The proxy for this URL, honouring NO_PROXY (host suffixes, `*`) and never proxying loopback. */
export function proxyFor(url: string): string | undefined {
  const proxy = envProxy();
  if (!proxy) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return proxy;
  }
  if (LOOPBACK.has(host) || host.startsWith('127.')) return undefined;
  const noProxy = (process.env.NO_PROXY ?? process.env.no_proxy ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const entry of noProxy) {
    if (entry === '*') return undefined;
    const bare = entry.replace(/^\*?\./, '').replace(/:\d+$/, '');
    if (host === bare || host.endsWith(`.${bare}`)) return undefined;
  }
  return proxy;
}

export class SalesforceTransport extends Transport {
  constructor(
    private readonly kind: 'api' | 'oauth',
    private readonly timeoutMs: number,
    private readonly hooks: TransportHooks,
  ) {
    super();
  }

  override getRequestStreamCreator(): (req: HttpRequest, options: HttpRequestOptions) => Duplex {
    const create = super.getRequestStreamCreator();
    return (req, options) => {
      const ctx = currentCall();
      const stream = create(req, { ...options, httpProxy: proxyFor(req.url), timeout: this.timeoutMs });
      if (this.kind === 'api') {
        this.hooks.onApiCall();
        stream.on('retry', () => this.hooks.onApiCall());
      }
      stream.on('response', (res: HttpResponse) => {
        const match = USAGE_RE.exec(res.headers?.['sforce-limit-info'] ?? '');
        if (match) this.hooks.onUsage({ used: Number(match[1]), limit: Number(match[2]) });
        const date = Date.parse(res.headers?.date ?? '');
        if (!Number.isNaN(date)) this.hooks.onServerDate?.(date, Date.now());
        if (ctx && this.kind === 'api') {
          ctx.lastStatus = res.statusCode;
          // The refreshed session worked: the refresh-loop guard counts consecutive failures only.
          if (res.statusCode !== 401) ctx.refreshes = 0;
        }
      });
      return stream;
    };
  }
}
