/**
 * Calls the cluster's API processes over HTTP and keeps every answer with its start and end time,
 * so the test can later check each 5xx against the outages it caused.
 */
export interface Answer {
  api: number;
  route: string;
  status: number;
  startedAt: number;
  endedAt: number;
  /** /readyz only: which checks failed. */
  failedChecks?: string[];
}

export class ApiRecorder {
  readonly answers: Answer[] = [];

  constructor(private readonly apiUrls: string[]) {}

  get apis(): number {
    return this.apiUrls.length;
  }

  /** status 0: no answer (connection refused or 15 s without one). */
  async call(api: number, key: string, method: 'GET' | 'POST', route: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; answer: Answer }> {
    const startedAt = Date.now();
    let status = 0;
    let parsed: unknown;
    try {
      const res = await fetch(`${this.apiUrls[api]}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      status = res.status;
      parsed = await res.json().catch(() => undefined);
    } catch {
      status = 0;
    }
    const answer = { api, route: `${method} ${route}`, status, startedAt, endedAt: Date.now() };
    this.answers.push(answer);
    return { status, body: parsed, answer };
  }

  /** One /readyz probe of one API. */
  async readyz(api: number): Promise<void> {
    const startedAt = Date.now();
    try {
      const res = await fetch(`${this.apiUrls[api]}/readyz`, { signal: AbortSignal.timeout(5_000) });
      const body = (await res.json()) as { checks?: Record<string, { ok: boolean }> };
      const failedChecks = Object.entries(body.checks ?? {}).filter(([, c]) => !c.ok).map(([name]) => name);
      this.answers.push({ api, route: 'GET /readyz', status: res.status, startedAt, endedAt: Date.now(), failedChecks });
    } catch {
      this.answers.push({ api, route: 'GET /readyz', status: 0, startedAt, endedAt: Date.now() });
    }
  }
}

export const isServerError = (a: Answer) => a.status === 0 || a.status >= 500;

/** A window of time in ms since the epoch, e.g. from a stop request until the service answers again. */
export interface Window {
  what: string;
  from: number;
  to: number;
}

/** The request was in flight during the window (started before it ended, ended after it began). */
export const overlaps = (a: Answer, w: Window) => a.startedAt <= w.to && a.endedAt >= w.from;
