/**
 * One logical JSON request with the transport policy every integration client uses: a per-attempt
 * timeout, and a small exponential backoff on network errors, timeouts and 5xx only (other statuses
 * are answers, returned as they are). Temporal retries on top of this belong to the caller.
 */
export interface RetryingHttpOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>`. */
  bearerKey: string;
  /** Per attempt. Default 10 000 ms. */
  timeoutMs?: number;
  /** Extra attempts after the first, on network errors / timeouts / 5xx. Default 2. */
  retries?: number;
  /** Backoff before retry n (1-based) is retryBaseMs * 2^(n-1). Default 200 ms. */
  retryBaseMs?: number;
  fetch?: typeof fetch;
}

export interface HttpRequest {
  method: string;
  /** Path and query, relative to baseUrl. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export type HttpOutcome =
  | { kind: 'answered'; status: number; body: unknown }
  /** No usable answer after every attempt. `detail` names the transport problem (never a body). */
  | { kind: 'unreachable'; attempts: number; status?: number; detail: string; cause: unknown };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createRetryingHttp(options: RetryingHttpOptions): (request: HttpRequest) => Promise<HttpOutcome> {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;
  const retryBaseMs = options.retryBaseMs ?? 200;
  const doFetch = options.fetch ?? fetch;

  return async function send(request) {
    const headers: Record<string, string> = { authorization: `Bearer ${options.bearerKey}`, accept: 'application/json', ...request.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let lastError: unknown;
    let lastStatus: number | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(retryBaseMs * 2 ** (attempt - 1));
      try {
        const res = await doFetch(`${baseUrl}${request.path}`, {
          method: request.method,
          headers,
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const body = await readBody(res);
        if (res.status < 500) return { kind: 'answered', status: res.status, body };
        lastStatus = res.status;
        lastError = new Error(`HTTP ${res.status}`);
      } catch (err) {
        lastStatus = undefined;
        lastError = err;
      }
    }
    return { kind: 'unreachable', attempts: retries + 1, status: lastStatus, detail: lastStatus !== undefined ? `HTTP ${lastStatus}` : describeError(lastError), cause: lastError };
  };
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Duck-typed: fetch's errors may come from another realm (instanceof Error fails there). */
function describeError(err: unknown): string {
  const e = err as { name?: unknown; message?: unknown; cause?: { message?: unknown; code?: unknown } } | null;
  if (typeof e?.message !== 'string') return String(err);
  // undici hides the socket error in `cause` ("fetch failed" alone says nothing).
  const causeMessage = typeof e.cause?.message === 'string' && e.cause.message !== '' ? e.cause.message : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  return `${String(e.name)}: ${e.message}${causeMessage !== undefined ? `: ${causeMessage}` : ''}`;
}
