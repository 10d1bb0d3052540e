/**
 * The Salesforce emulator's HTTP server: OAuth token endpoint, REST + Bulk 2.0 under /services/data/vXX.X
 * (Bearer auth, daily API limit, `Sforce-Limit-Info` on every REST response, JSON error arrays), fault
 * injection, a request journal, and the /__emulator control plane.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dispatchApi } from './api-routes';
import { EmulatorClock } from './clock';
import { SalesforceEmulatorControl, dispatchControl } from './control';
import { IdFactory } from './ids';
import { TokenStore, handleToken, type OAuthConfig } from './oauth';
import { Org } from './org';
import { DEFAULT_SETTINGS, Faults, Journal, type EmulatorSettings } from './runtime';
import type { ApiRequest, EmulatorState } from './state';
import { ApiError, JSON_TYPE, json, type Reply } from './wire';

export interface SalesforceEmulatorOptions {
  /** 0 or undefined: a free port. */
  port?: number;
  host?: string;
  clientId: string;
  clientSecret: string;
  /** For the username-password grant; defaults to integration@emulator.invalid / password. */
  username?: string;
  password?: string;
  /** Daily API allowance (DailyApiRequests.Max), default 100 000. */
  dailyApiRequests?: number;
  /** Freeze the clock at this instant (ISO-8601); default real time. */
  now?: string;
  settings?: Partial<EmulatorSettings>;
}

export interface SalesforceEmulator {
  /** Base URL, e.g. http://127.0.0.1:4030 — both the login URL and the instance URL. */
  url: string;
  port: number;
  control: SalesforceEmulatorControl;
  stop(): Promise<void>;
}

const API_PATH = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/;

function send(res: ServerResponse, reply: Reply, extraHeaders: Record<string, string>, nowMs?: number): void {
  // Salesforce's Date header is its own clock: clients plan replication windows on it.
  const headers: Record<string, string> = { ...(nowMs !== undefined ? { Date: new Date(nowMs).toUTCString() } : {}), ...extraHeaders, ...reply.headers };
  let payload: string | undefined;
  if (reply.text !== undefined) {
    payload = reply.text;
    headers['Content-Type'] = reply.contentType ?? 'text/plain';
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    headers['Content-Type'] = JSON_TYPE;
  }
  if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const errorReply = (err: unknown): Reply => {
  if (err instanceof ApiError) return json(err.status, err.body());
  // An emulator bug must still answer in Salesforce's shape, so jsforce surfaces it instead of hanging.
  return json(500, [{ message: `emulator error: ${(err as Error).message}`, errorCode: 'UNKNOWN_EXCEPTION' }]);
};

export async function startSalesforceEmulator(opts: SalesforceEmulatorOptions): Promise<SalesforceEmulator> {
  const clock = new EmulatorClock();
  if (opts.now) {
    const ms = Date.parse(opts.now);
    if (Number.isNaN(ms)) throw new RangeError('now must be an ISO-8601 datetime');
    clock.set(ms);
  }
  // A random "pod" in every id keeps ids of two emulator runs apart (databases outlive the emulator).
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const [a = 0, b = 0] = randomBytes(2);
  const ids = new IdFactory(`${letters[a % 52]}${letters[b % 52]}0`);
  const org = new Org(clock, ids);
  const oauth: OAuthConfig = { clientId: opts.clientId, clientSecret: opts.clientSecret, username: opts.username ?? 'integration@emulator.invalid', password: opts.password ?? 'password' };
  const state: EmulatorState = {
    baseUrl: '',
    clock,
    ids,
    org,
    oauth,
    tokens: new TokenStore(org.orgId, () => clock.now()),
    limits: { max: opts.dailyApiRequests ?? 100_000, used: 0 },
    faults: new Faults(),
    journal: new Journal(),
    settings: { ...DEFAULT_SETTINGS, ...opts.settings },
    cursors: new Map(),
    ingestJobs: new Map(),
    queryJobs: new Map(),
  };
  const control = new SalesforceEmulatorControl(state);
  const sockets = new Set<Socket>();

  const limitHeader = (): Record<string, string> => ({ 'Sforce-Limit-Info': `api-usage=${state.limits.used}/${state.limits.max}` });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);

    if (url.pathname.startsWith('/__emulator/')) {
      let reply: Reply;
      try {
        reply = dispatchControl(control, method, url.pathname, url.searchParams, body);
      } catch (err) {
        reply = errorReply(err);
      }
      send(res, reply, {});
      return;
    }

    const journal = (status: number): void =>
      state.journal.add({ method, path: url.pathname + url.search, status, at: new Date(clock.now()).toISOString(), durationMs: Date.now() - started });

    const fault = state.faults.take(method, url.pathname);
    if (fault?.kind === 'reset') {
      journal(0);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'timeout') {
      journal(0);
      return; // never answered; stop() closes the socket
    }
    let reply: Reply;
    let headers: Record<string, string> = {};
    if (fault && fault.kind === 'delay') {
      ({ reply, headers } = route(method, url, body, req));
    } else if (fault) {
      const status = fault.status!;
      const errorCode = fault.errorCode ?? (status === 401 ? 'INVALID_SESSION_ID' : status === 503 ? 'SERVER_UNAVAILABLE' : 'UNKNOWN_EXCEPTION');
      const message = fault.message ?? (status === 401 ? 'Session expired or invalid' : 'injected failure');
      reply = json(status, [{ message, errorCode }]);
    } else {
      ({ reply, headers } = route(method, url, body, req));
    }
    res.on('finish', () => journal(reply.status));
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    send(res, reply, headers, clock.now());
  }

  function route(method: string, url: URL, body: Buffer, req: IncomingMessage): { reply: Reply; headers: Record<string, string> } {
    try {
      if (url.pathname === '/services/oauth2/token' && method === 'POST') {
        const form = new URLSearchParams(body.toString('utf8'));
        return { reply: handleToken(form, { config: oauth, tokens: state.tokens, baseUrl: state.baseUrl, orgId: org.orgId, userId: org.integrationUserId, now: clock.now() }), headers: {} };
      }
      if (url.pathname === '/services/oauth2/revoke' && method === 'POST') {
        const token = new URLSearchParams(body.toString('utf8')).get('token') ?? url.searchParams.get('token') ?? '';
        state.tokens.revoke(token);
        return { reply: { status: 200 }, headers: {} };
      }
      if (url.pathname === '/services/data' || url.pathname === '/services/data/') {
        const versions = ['58.0', '59.0', '60.0', '61.0', '62.0', '63.0', '64.0'].map((version) => ({ label: 'Emulated', url: `/services/data/v${version}`, version }));
        return { reply: json(200, versions), headers: {} };
      }
      const m = API_PATH.exec(url.pathname);
      if (!m) return { reply: json(404, [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]), headers: {} };
      const auth = String(req.headers.authorization ?? '');
      const token = /^Bearer (.+)$/i.exec(auth)?.[1];
      if (!state.tokens.valid(token)) return { reply: json(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]), headers: {} };
      state.limits.used++;
      if (state.limits.used > state.limits.max) {
        return { reply: json(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]), headers: limitHeader() };
      }
      const apiReq: ApiRequest = { method, path: m[2] ?? '', query: url.searchParams, headers: req.headers, body, version: m[1]! };
      try {
        return { reply: dispatchApi(state, apiReq), headers: limitHeader() };
      } catch (err) {
        return { reply: errorReply(err), headers: limitHeader() };
      }
    } catch (err) {
      return { reply: errorReply(err), headers: {} };
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, errorReply(err), {});
    });
  });
  // Like Salesforce's front end, keep idle connections open longer than a client keeps an idle socket
  // (Node's agent: 5 s, the same as Node's server default). With equal timeouts a request sent on a
  // socket just as the server closes it fails with ECONNRESET and jsforce resends it: one call counted
  // twice, by chance, in tests that count calls.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  return {
    url: state.baseUrl,
    port,
    control,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
