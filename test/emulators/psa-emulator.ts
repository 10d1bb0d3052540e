/**
 * In-memory PSA speaking the HTTP API of activities/psa/psa-api.ts, for tests and local runs.
 * Simulates the event-mesh delay before the `client.created` webhook, webhook retries and loss,
 * an unreachable / failing / hanging PSA, and key mismatches (construct with other keys, or setKeys()).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import {
  CreateClientRequest,
  PsaErrorCodes,
  PsaRoutes,
  UpsertContactRequest,
  VerifyRequest,
  crmKeyProof,
  type ClientCreatedWebhook,
  type PsaClientRecord,
  type PsaContactRecord,
} from '../../integrations/psa/api';
import { IDEMPOTENCY_KEY_HEADER, bearerToken, matchPath, secretsEqual } from '../../integrations/shared/http-wire';

/**
 * unreachable: sockets destroyed at once; error5xx: 503; hang: request never answered (client timeout);
 * hang_after_work: the PSA does the work, then never answers (the caller cannot tell whether it
 * happened: the case idempotency keys exist for).
 */
export type PsaFailureMode = 'none' | 'unreachable' | 'error5xx' | 'hang' | 'hang_after_work';
export type PsaRouteName = keyof typeof PsaRoutes;

export interface PsaEmulatorOptions {
  port?: number;
  psaIntegrationKey: string;
  crmIntegrationKey: string;
  /** Full URL of the CRM webhook, e.g. http://127.0.0.1:3000/v1/webhooks/psa. */
  crmWebhookUrl?: string;
  /** Event-mesh delay before the PSA processes a new client: 0-30000 ms, default 5000. */
  confirmationDelayMs?: number;
  /** timer: real setTimeout; manual: only deliverDueWebhooks()/deliverAllWebhooks() (for time-skipping tests). Default timer. */
  webhookDelivery?: 'timer' | 'manual';
  /** The PSA activates the client but its webhook is lost (exercises the CRM's polling fallback). */
  dropWebhooks?: boolean;
  /** Delivery attempts per webhook (non-2xx or unreachable CRM), default 3, backoff retryDelay * 2^n. */
  webhookAttempts?: number;
  webhookRetryDelayMs?: number;
}

export interface PendingWebhook extends ClientCreatedWebhook {
  dueAt: number;
}

export interface PsaEmulatorState {
  clients: Map<string, PsaClientRecord>;
  /** Keyed `${clientId}:${crmContactId}`. */
  contacts: Map<string, PsaContactRecord>;
  /** Every HTTP request received, including injected failures. */
  requests: number;
  createClientCalls: number;
  upsertContactCalls: number;
  /** DELETE requests that removed a contact (replays and unknown contacts not counted). */
  deleteContactCalls: number;
  callsByIdempotencyKey: Map<string, number>;
  webhookAttempts: number;
  webhooksDelivered: ClientCreatedWebhook[];
  webhooksFailed: Array<{ payload: ClientCreatedWebhook; error: string }>;
  webhooksDropped: number;
}

export interface PsaEmulator {
  url: string;
  port: number;
  state: PsaEmulatorState;
  close(): Promise<void>;
  /** `times`: fail only the next n requests/connections, then back to 'none'; `route`: only requests to that endpoint. */
  setFailureMode(mode: PsaFailureMode, opts?: { times?: number; route?: PsaRouteName }): void;
  setKeys(keys: { psaIntegrationKey?: string; crmIntegrationKey?: string }): void;
  /** Applies to clients created afterwards. */
  setConfirmationDelayMs(ms: number): void;
  setDropWebhooks(drop: boolean): void;
  setCrmWebhookUrl(url: string | undefined): void;
  pendingWebhooks(): PendingWebhook[];
  /** Processes webhooks due at `now` (default: real now); resolves with how many the CRM accepted. */
  deliverDueWebhooks(now?: number): Promise<number>;
  deliverAllWebhooks(): Promise<number>;
}

interface Reply {
  status: number;
  body: unknown;
}
interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  idempotencyKey: string | undefined;
}

const error = (status: number, code: string, message?: string): Reply => ({ status, body: { error: { code, message } } });
const invalid = (err: z.ZodError): Reply => error(400, PsaErrorCodes.INVALID_REQUEST, z.prettifyError(err));

function checkDelay(ms: number): number {
  if (!Number.isInteger(ms) || ms < 0 || ms > 30_000) throw new RangeError(`confirmationDelayMs must be 0-30000, got ${ms}`);
  return ms;
}

export async function startPsaEmulator(opts: PsaEmulatorOptions): Promise<PsaEmulator> {
  const keys = { psa: opts.psaIntegrationKey, crm: opts.crmIntegrationKey };
  let crmWebhookUrl = opts.crmWebhookUrl;
  let confirmationDelayMs = checkDelay(opts.confirmationDelayMs ?? 5000);
  let dropWebhooks = opts.dropWebhooks ?? false;
  let failure: { mode: PsaFailureMode; remaining: number; route?: PsaRouteName } = { mode: 'none', remaining: Infinity };
  const webhookAttempts = opts.webhookAttempts ?? 3;
  const webhookRetryDelayMs = opts.webhookRetryDelayMs ?? 500;
  const closing = new AbortController();
  // Rejects when the emulator closes, so no timer outlives it.
  const wait = (ms: number): Promise<void> => delay(ms, undefined, { signal: closing.signal });
  const pending = new Map<string, PendingWebhook>();
  // Ids unique across restarts: the CRM keeps links in its database while this state is in memory.
  const runId = randomBytes(3).toString('hex');
  let seq = 0;
  const state: PsaEmulatorState = {
    clients: new Map(),
    contacts: new Map(),
    requests: 0,
    createClientCalls: 0,
    upsertContactCalls: 0,
    deleteContactCalls: 0,
    callsByIdempotencyKey: new Map(),
    webhookAttempts: 0,
    webhooksDelivered: [],
    webhooksFailed: [],
    webhooksDropped: 0,
  };

  /** The failure to inject now for a request to `route` (undefined: not known yet), spending one unit of a limited budget. */
  function takeFailure(route: PsaRouteName | undefined): PsaFailureMode {
    const { mode } = failure;
    if (failure.route !== undefined && failure.route !== route) return 'none';
    if (mode !== 'none' && --failure.remaining <= 0) failure = { mode: 'none', remaining: Infinity };
    return mode;
  }

  function countKey(key: string): void {
    state.callsByIdempotencyKey.set(key, (state.callsByIdempotencyKey.get(key) ?? 0) + 1);
  }

  function schedule(client: PsaClientRecord): void {
    const hook: PendingWebhook = { type: 'client.created', clientId: client.id, crmCompanyId: client.crmCompanyId, dueAt: Date.now() + confirmationDelayMs };
    pending.set(client.id, hook);
    if (opts.webhookDelivery !== 'manual') void wait(confirmationDelayMs).then(() => fire(client.id), () => false);
  }

  /** The PSA processes the promotion: the client turns active, then the CRM is told (unless the webhook is lost). */
  async function fire(clientId: string): Promise<boolean> {
    const hook = pending.get(clientId);
    if (!hook) return false; // already delivered manually
    pending.delete(clientId);
    const client = state.clients.get(clientId);
    if (client) client.status = 'active';
    if (dropWebhooks) {
      state.webhooksDropped++;
      return false;
    }
    return deliver({ type: hook.type, clientId: hook.clientId, crmCompanyId: hook.crmCompanyId });
  }

  async function deliver(payload: ClientCreatedWebhook): Promise<boolean> {
    const url = crmWebhookUrl;
    let lastError = 'no CRM webhook URL configured';
    for (let attempt = 0; url !== undefined && attempt < webhookAttempts && !closing.signal.aborted; attempt++) {
      try {
        if (attempt > 0) await wait(webhookRetryDelayMs * 2 ** (attempt - 1));
        state.webhookAttempts++;
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${keys.crm}`, 'content-type': 'application/json' },
          body: JSON.stringify(payload),
          signal: AbortSignal.any([closing.signal, AbortSignal.timeout(5000)]),
        });
        await res.arrayBuffer(); // drain so the socket can be reused
        if (res.ok) {
          state.webhooksDelivered.push(payload);
          return true;
        }
        lastError = `HTTP ${res.status}`;
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
      }
    }
    state.webhooksFailed.push({ payload, error: lastError });
    return false;
  }

  const routes: Array<[PsaRouteName, (ctx: RequestContext) => Reply]> = [
    ['verifyIntegration', ({ body }) => {
      const req = VerifyRequest.safeParse(body);
      return req.success ? { status: 200, body: { crmKeyProof: crmKeyProof(keys.crm, req.data.nonce) } } : invalid(req.error);
    }],
    ['createClient', ({ body, idempotencyKey }) => {
      if (!idempotencyKey) return error(400, PsaErrorCodes.IDEMPOTENCY_KEY_REQUIRED);
      const req = CreateClientRequest.safeParse(body);
      if (!req.success) return invalid(req.error);
      state.createClientCalls++;
      countKey(idempotencyKey);
      const existing = [...state.clients.values()].find((c) => c.crmCompanyId === req.data.crmCompanyId);
      if (existing) return { status: 200, body: existing };
      const client: PsaClientRecord = { id: `psa_cl_${runId}_${++seq}`, crmCompanyId: req.data.crmCompanyId, name: req.data.name, status: 'pending' };
      state.clients.set(client.id, client);
      schedule(client);
      return { status: 201, body: client };
    }],
    ['getClient', ({ params }) => {
      const client = state.clients.get(params.id ?? '');
      return client ? { status: 200, body: client } : error(404, PsaErrorCodes.NOT_FOUND);
    }],
    ['listClients', ({ query }) => {
      const crmCompanyId = query.get('crmCompanyId');
      return { status: 200, body: { clients: [...state.clients.values()].filter((c) => crmCompanyId === null || c.crmCompanyId === crmCompanyId) } };
    }],
    ['upsertContact', ({ params, body, idempotencyKey }) => {
      if (!idempotencyKey) return error(400, PsaErrorCodes.IDEMPOTENCY_KEY_REQUIRED);
      const { clientId = '', crmContactId = '' } = params;
      if (!state.clients.has(clientId)) return error(404, PsaErrorCodes.NOT_FOUND, `client ${clientId}`);
      const req = UpsertContactRequest.safeParse(body);
      if (!req.success) return invalid(req.error);
      state.upsertContactCalls++;
      countKey(idempotencyKey);
      const key = `${clientId}:${crmContactId}`;
      const existing = state.contacts.get(key);
      const contact: PsaContactRecord = { id: existing?.id ?? `psa_ct_${runId}_${++seq}`, clientId, crmContactId, ...req.data };
      state.contacts.set(key, contact);
      return { status: existing ? 200 : 201, body: contact };
    }],
    ['deleteContact', ({ params, idempotencyKey }) => {
      if (!idempotencyKey) return error(400, PsaErrorCodes.IDEMPOTENCY_KEY_REQUIRED);
      countKey(idempotencyKey);
      const key = `${params.clientId ?? ''}:${params.crmContactId ?? ''}`;
      if (!state.contacts.delete(key)) return error(404, PsaErrorCodes.NOT_FOUND, 'no such contact');
      state.deleteContactCalls++;
      return { status: 204, body: undefined };
    }],
  ];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    state.requests++;
    const url = new URL(req.url ?? '/', 'http://psa.local');
    let matched: { route: PsaRouteName; handler: (ctx: RequestContext) => Reply; params: Record<string, string> } | undefined;
    for (const [route, handler] of routes) {
      const params = req.method === PsaRoutes[route].method ? matchPath(PsaRoutes[route].path, url.pathname) : null;
      if (params) {
        matched = { route, handler, params };
        break;
      }
    }
    const mode = takeFailure(matched?.route);
    if (mode === 'unreachable') {
      req.socket.destroy();
      return;
    }
    if (mode === 'hang') return; // never answered; close() destroys the socket
    const text = await readText(req);
    if (mode === 'error5xx') return send(res, error(503, PsaErrorCodes.SERVICE_UNAVAILABLE));
    const token = bearerToken(req.headers.authorization);
    if (token === undefined || !secretsEqual(token, keys.psa)) return send(res, error(401, PsaErrorCodes.INVALID_PSA_KEY));
    let body: unknown;
    try {
      body = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      return send(res, error(400, PsaErrorCodes.INVALID_REQUEST, 'body is not JSON'));
    }
    if (!matched) return send(res, error(404, PsaErrorCodes.NOT_FOUND, `${req.method} ${url.pathname}`));
    const idempotencyHeader = req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
    const idempotencyKey = typeof idempotencyHeader === 'string' ? idempotencyHeader : undefined;
    const reply = matched.handler({ params: matched.params, query: url.searchParams, body, idempotencyKey });
    if (mode === 'hang_after_work') return; // close() destroys the socket
    send(res, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else send(res, error(500, 'INTERNAL', err instanceof Error ? err.message : String(err)));
    });
  });
  // Fresh connections are refused too (keep-alive sockets are handled per request in handle()).
  server.on('connection', (socket) => {
    if (failure.mode === 'unreachable' && failure.route === undefined) {
      takeFailure(undefined);
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  async function deliverDueWebhooks(now = Date.now()): Promise<number> {
    let delivered = 0;
    // Sequential, in creation order: deterministic for tests.
    for (const hook of [...pending.values()].filter((h) => h.dueAt <= now)) if (await fire(hook.clientId)) delivered++;
    return delivered;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
    setFailureMode(mode, o) {
      failure = { mode, remaining: o?.times ?? Infinity, ...(o?.route !== undefined ? { route: o.route } : {}) };
    },
    setKeys(k) {
      keys.psa = k.psaIntegrationKey ?? keys.psa;
      keys.crm = k.crmIntegrationKey ?? keys.crm;
    },
    setConfirmationDelayMs(ms) {
      confirmationDelayMs = checkDelay(ms);
    },
    setDropWebhooks(drop) {
      dropWebhooks = drop;
    },
    setCrmWebhookUrl(url) {
      crmWebhookUrl = url;
    },
    pendingWebhooks: () => [...pending.values()].map((h) => ({ ...h })),
    deliverDueWebhooks,
    deliverAllWebhooks: () => deliverDueWebhooks(Infinity),
  };
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.status === 204) {
    res.writeHead(204);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
