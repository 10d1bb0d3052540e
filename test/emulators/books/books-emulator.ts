/**
 * In-memory Books speaking the HTTP API of integrations/books/api.ts, for tests and local runs.
 * State: the personal data Books holds per CRM contact (name, email, billing address) and invoices.
 * Faults: unreachable (stops listening: connections are refused), 5xx for the next N requests, slow answers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import {
  BOOKS_CONTACT_FIELDS,
  BooksErrorCodes,
  BooksRoutes,
  CreateInvoiceRequest,
  IDEMPOTENCY_KEY_HEADER,
  type BillTo,
  type BooksContactField,
  type BooksInvoice,
  type BooksRouteName,
  type EraseContactResponse,
} from '../../../integrations/books/api';
import { bearerMatches, matchPath } from '../../../integrations/shared/http-wire';

/** Fields Books must keep on issued invoices (the bill-to party), and why. */
export const RETAINED_WITH_INVOICES: readonly BooksContactField[] = ['name', 'billingAddress'];
export const INVOICE_RETENTION_BASIS = 'GDPR Art. 17(3)(b): legal obligation to retain issued invoices (HGB §257, AO §147; HMRC VAT records)';

export interface BooksContactRecord {
  crmContactId: string;
  name?: string;
  email?: string;
  billingAddress?: string;
}

export interface StoredInvoice extends BooksInvoice {
  crmContactId: string;
}

export interface BooksEmulatorState {
  contacts: Map<string, BooksContactRecord>;
  /** By invoice id, in creation order. */
  invoices: Map<string, StoredInvoice>;
  /** Every HTTP request received, including injected failures. */
  requests: number;
  /** Writes that changed state (replays not counted). */
  createInvoiceWrites: number;
  eraseWrites: number;
  /** Write requests per Idempotency-Key, replays included. */
  callsByIdempotencyKey: Map<string, number>;
}

export interface BooksEmulatorOptions {
  /** 0 (default): any free port. */
  port?: number;
  apiKey: string;
}

export interface BooksEmulator {
  url: string;
  port: number;
  state: BooksEmulatorState;
  close(): Promise<void>;
  /** Unreachable: stops listening and drops open connections; new connections are refused until goOnline(). */
  goOffline(): Promise<void>;
  /** Listens again on the same port. */
  goOnline(): Promise<void>;
  /** The next `count` requests (only those to `route`, if given) get `status` (default 503; 429 = rate limited) without being processed. */
  failNext(count: number, opts?: { status?: number; route?: BooksRouteName }): void;
  /** Every answer waits this long first (0: none). */
  setLatencyMs(ms: number): void;
  setApiKey(key: string): void;
  /** Sets the personal data Books holds for a contact (as if entered in Books itself). */
  setContact(record: BooksContactRecord): void;
}

interface Reply {
  status: number;
  body: unknown;
}
interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

const error = (status: number, code: string, message?: string): Reply => ({ status, body: { error: { code, message } } });
// zod's report names paths and expectations; it does not quote the submitted values.
const invalid = (err: z.ZodError): Reply => error(400, BooksErrorCodes.INVALID_REQUEST, z.prettifyError(err));

export async function startBooksEmulator(opts: BooksEmulatorOptions): Promise<BooksEmulator> {
  let apiKey = opts.apiKey;
  let latencyMs = 0;
  let failure: { remaining: number; status: number; route?: BooksRouteName } | undefined;
  const closing = new AbortController();
  // Ids unique across restarts: the CRM keeps references in its database while this state is in memory.
  const runId = randomBytes(3).toString('hex');
  let seq = 0;
  const replies = new Map<string, { fingerprint: string; reply: Reply }>();
  const state: BooksEmulatorState = { contacts: new Map(), invoices: new Map(), requests: 0, createInvoiceWrites: 0, eraseWrites: 0, callsByIdempotencyKey: new Map() };

  const invoicesOf = (crmContactId: string): StoredInvoice[] => [...state.invoices.values()].filter((i) => i.crmContactId === crmContactId);
  const publicInvoice = ({ crmContactId: _omit, ...invoice }: StoredInvoice): BooksInvoice => invoice;

  function applyBillTo(crmContactId: string, billTo: BillTo | undefined): void {
    if (!billTo) return;
    const contact = state.contacts.get(crmContactId) ?? { crmContactId };
    state.contacts.set(crmContactId, { ...contact, ...billTo });
  }

  function erase(crmContactId: string): EraseContactResponse {
    const hasInvoices = invoicesOf(crmContactId).length > 0;
    const contact = state.contacts.get(crmContactId);
    const retained = hasInvoices && contact ? RETAINED_WITH_INVOICES.filter((f) => contact[f] !== undefined) : [];
    if (contact) {
      const kept: BooksContactRecord = { crmContactId };
      for (const field of retained) kept[field] = contact[field];
      if (retained.length > 0) state.contacts.set(crmContactId, kept);
      else state.contacts.delete(crmContactId);
    }
    return { erased: BOOKS_CONTACT_FIELDS.filter((f) => !retained.includes(f)), retained, legalBasis: hasInvoices ? INVOICE_RETENTION_BASIS : null };
  }

  const routes: Record<BooksRouteName, (ctx: RequestContext) => Reply> = {
    listInvoices: ({ query }) => {
      const crmContactId = query.get('crmContactId');
      if (!crmContactId) return error(400, BooksErrorCodes.INVALID_REQUEST, 'query parameter crmContactId is required');
      return { status: 200, body: invoicesOf(crmContactId).map(publicInvoice) };
    },
    createInvoice: ({ body }) => {
      const req = CreateInvoiceRequest.safeParse(body);
      if (!req.success) return invalid(req.error);
      const { billTo, ...fields } = req.data;
      if ([...state.invoices.values()].some((i) => i.number === fields.number)) return error(409, BooksErrorCodes.DUPLICATE_INVOICE_NUMBER, `invoice number ${fields.number} is taken`);
      const invoice: StoredInvoice = { id: `inv_${runId}_${++seq}`, status: 'issued', ...fields };
      state.invoices.set(invoice.id, invoice);
      applyBillTo(fields.crmContactId, billTo);
      state.createInvoiceWrites++;
      return { status: 201, body: publicInvoice(invoice) };
    },
    eraseContact: ({ params }) => {
      state.eraseWrites++;
      return { status: 200, body: erase(params.crmContactId ?? '') };
    },
  };

  /** Writes: replays of a key answer the first reply (201 becomes 200: nothing new was created). */
  function idempotent(key: string, fingerprint: string, run: () => Reply): Reply {
    state.callsByIdempotencyKey.set(key, (state.callsByIdempotencyKey.get(key) ?? 0) + 1);
    const seen = replies.get(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) return error(422, BooksErrorCodes.IDEMPOTENCY_KEY_REUSED, 'this Idempotency-Key was used for a different request');
      return { ...seen.reply, status: seen.reply.status === 201 ? 200 : seen.reply.status };
    }
    const reply = run();
    if (reply.status < 500) replies.set(key, { fingerprint, reply });
    return reply;
  }

  function takeFailure(route: BooksRouteName | undefined): number | undefined {
    if (!failure || (failure.route !== undefined && failure.route !== route)) return undefined;
    const { status } = failure;
    if (--failure.remaining <= 0) failure = undefined;
    return status;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    state.requests++;
    const url = new URL(req.url ?? '/', 'http://books.local');
    let matched: { route: BooksRouteName; params: Record<string, string> } | undefined;
    for (const route of Object.keys(BooksRoutes) as BooksRouteName[]) {
      const params = req.method === BooksRoutes[route].method ? matchPath(BooksRoutes[route].path, url.pathname) : null;
      if (params) {
        matched = { route, params };
        break;
      }
    }
    const text = await readText(req);
    if (latencyMs > 0) await delay(latencyMs, undefined, { signal: closing.signal });
    const failStatus = takeFailure(matched?.route);
    if (failStatus !== undefined) return send(res, error(failStatus, failStatus === 429 ? BooksErrorCodes.RATE_LIMITED : BooksErrorCodes.SERVICE_UNAVAILABLE));
    if (!bearerMatches(req.headers.authorization, apiKey)) return send(res, error(401, BooksErrorCodes.INVALID_BOOKS_KEY));
    if (!matched) return send(res, error(404, BooksErrorCodes.NOT_FOUND, `${req.method} ${url.pathname}`));
    let body: unknown;
    try {
      body = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      return send(res, error(400, BooksErrorCodes.INVALID_REQUEST, 'body is not JSON'));
    }
    const ctx: RequestContext = { params: matched.params, query: url.searchParams, body };
    const run = routes[matched.route];
    if (req.method !== 'POST') return send(res, run(ctx));
    const header = req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
    if (typeof header !== 'string' || header === '') return send(res, error(400, BooksErrorCodes.IDEMPOTENCY_KEY_REQUIRED, `${IDEMPOTENCY_KEY_HEADER} header is required`));
    const fingerprint = createHash('sha256').update(`${req.method} ${url.pathname}\n${text}`).digest('hex');
    send(res, idempotent(header, fingerprint, () => run(ctx)));
  }

  function newServer(): Server {
    return createServer((req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (closing.signal.aborted || res.headersSent) res.destroy();
        else send(res, error(500, 'INTERNAL', err instanceof Error ? err.message : String(err)));
      });
    });
  }

  async function listen(server: Server, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  async function stop(server: Server): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  let server: Server | undefined = newServer();
  const port = await listen(server, opts.port ?? 0);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      if (server) await stop(server);
      server = undefined;
    },
    async goOffline() {
      if (!server) return;
      const s = server;
      server = undefined;
      await stop(s);
    },
    async goOnline() {
      if (server || closing.signal.aborted) return;
      server = newServer();
      await listen(server, port);
    },
    failNext(count, o) {
      failure = count > 0 ? { remaining: count, status: o?.status ?? 503, ...(o?.route !== undefined ? { route: o.route } : {}) } : undefined;
    },
    setLatencyMs(ms) {
      latencyMs = ms;
    },
    setApiKey(key) {
      apiKey = key;
    },
    setContact(record) {
      state.contacts.set(record.crmContactId, { ...record });
    },
  };
}

function send(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
