/**
 * Typed HTTP client of the Books API (routes and schemas in ./api.ts).
 * Transport policy (../shared/retrying-http.ts): per-attempt timeout, small exponential backoff on
 * network errors and 5xx only, and an Idempotency-Key on every write (deterministic by default, so a
 * retried activity replays the same write instead of making a second one).
 */
import type { z } from 'zod';
import { fillPath, IDEMPOTENCY_KEY_HEADER } from '../shared/http-wire';
import { createRetryingHttp, type HttpRequest, type RetryingHttpOptions } from '../shared/retrying-http';
import {
  BooksErrorBody,
  BooksInvoice,
  BooksInvoiceList,
  BooksRoutes,
  EraseContactResponse,
  type BooksRouteName,
  type CreateInvoiceRequest,
} from './api';
import { BooksAuthError, BooksQuotaError, BooksRejectedError, BooksUnreachableError } from './errors';

export interface BooksClientConfig extends Omit<RetryingHttpOptions, 'bearerKey'> {
  /** BOOKS_API_KEY. */
  apiKey: string;
}

export interface WriteOptions {
  /** Overrides the default key (e.g. `erase:<requestId>:<contactId>` to tie a write to one request). */
  idempotencyKey?: string;
}

export interface BooksClient {
  /** The contact's invoices (financial references only); [] when it has none. */
  listInvoices(crmContactId: string): Promise<BooksInvoice[]>;
  /** `created` is false when Books answered a replay of the same Idempotency-Key. Default key: `invoice:<number>`. */
  createInvoice(input: CreateInvoiceRequest, options?: WriteOptions): Promise<{ invoice: BooksInvoice; created: boolean }>;
  /** Erases the personal data Books is not obliged to keep. Default key: `erase:<crmContactId>`. */
  eraseContact(crmContactId: string, options?: WriteOptions): Promise<EraseContactResponse>;
}

export function createBooksClient(config: BooksClientConfig): BooksClient {
  const send = createRetryingHttp({ ...config, bearerKey: config.apiKey });

  /** One request; answers come back as status + body, transport failures as BooksUnreachableError. */
  async function call(route: BooksRouteName, request: Omit<HttpRequest, 'method'>): Promise<{ status: number; body: unknown }> {
    const { method } = BooksRoutes[route];
    const outcome = await send({ ...request, method });
    if (outcome.kind === 'unreachable') {
      throw new BooksUnreachableError(`Books ${route} failed after ${outcome.attempts} attempts: ${outcome.detail}`, outcome.attempts, outcome.status, { cause: outcome.cause });
    }
    return outcome;
  }

  /** Maps an answer to the typed result or error. */
  function decode<S extends z.ZodType>(route: BooksRouteName, res: { status: number; body: unknown }, ok: readonly number[], schema: S): z.infer<S> {
    if (res.status === 401 || res.status === 403) throw new BooksAuthError(res.status);
    if (res.status === 429) throw new BooksQuotaError(res.status);
    if (!ok.includes(res.status)) {
      const booksCode = errorCodeOf(res.body);
      throw new BooksRejectedError(`Books rejected ${route} with HTTP ${res.status}${booksCode ? ` (${booksCode})` : ''}`, res.status, booksCode);
    }
    const parsed = schema.safeParse(res.body);
    // zod's issues quote paths and expectations, not values; still, keep the message to the route.
    if (!parsed.success) throw new BooksRejectedError(`Books answered ${route} with a body that does not match the Books API`, res.status);
    return parsed.data;
  }

  const idempotency = (key: string): Record<string, string> => ({ [IDEMPOTENCY_KEY_HEADER]: key });

  return {
    async listInvoices(crmContactId) {
      const query = new URLSearchParams({ crmContactId }).toString();
      const res = await call('listInvoices', { path: `${BooksRoutes.listInvoices.path}?${query}` });
      return decode('listInvoices', res, [200], BooksInvoiceList);
    },

    async createInvoice(input, options) {
      const res = await call('createInvoice', { path: BooksRoutes.createInvoice.path, body: input, headers: idempotency(options?.idempotencyKey ?? `invoice:${input.number}`) });
      return { invoice: decode('createInvoice', res, [200, 201], BooksInvoice), created: res.status === 201 };
    },

    async eraseContact(crmContactId, options) {
      const path = fillPath(BooksRoutes.eraseContact.path, { crmContactId });
      const res = await call('eraseContact', { path, headers: idempotency(options?.idempotencyKey ?? `erase:${crmContactId}`) });
      return decode('eraseContact', res, [200], EraseContactResponse);
    },
  };
}

/** Books' error code, if the body is a Books error with a well-formed code (anything else is not echoed). */
function errorCodeOf(body: unknown): string | undefined {
  const parsed = BooksErrorBody.safeParse(body);
  return parsed.success && /^[A-Z][A-Z0-9_]{0,63}$/.test(parsed.data.error.code) ? parsed.data.error.code : undefined;
}
