/**
 * The Books (invoicing) HTTP API, defined once: routes, body schemas, error codes.
 * The typed client (./client.ts) and the emulator (test/emulators/books/) both use this file, so
 * they cannot drift apart.
 *
 * Auth: every endpoint requires `Authorization: Bearer <BOOKS_API_KEY>`; a wrong or missing key gets
 * 401 `{ error: { code: 'INVALID_BOOKS_KEY' } }`. Writes (POST) require an `Idempotency-Key` header:
 * a replay with the same key and body gets the first answer again; the same key with another body is
 * refused (422 IDEMPOTENCY_KEY_REUSED).
 */
import { z } from 'zod';

export { IDEMPOTENCY_KEY_HEADER } from '../shared/http-wire';

export const BooksErrorCodes = {
  INVALID_BOOKS_KEY: 'INVALID_BOOKS_KEY',
  INVALID_REQUEST: 'INVALID_REQUEST',
  IDEMPOTENCY_KEY_REQUIRED: 'IDEMPOTENCY_KEY_REQUIRED',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  DUPLICATE_INVOICE_NUMBER: 'DUPLICATE_INVOICE_NUMBER',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;
export type BooksErrorCode = (typeof BooksErrorCodes)[keyof typeof BooksErrorCodes];

/** Body of every non-2xx answer. Messages name fields and codes, never submitted values. */
export const BooksErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });
export type BooksErrorBody = z.infer<typeof BooksErrorBody>;

const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));
/** ISO 4217 alphabetic code, e.g. EUR. */
export const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
  .refine((c) => ISO_4217.has(c), 'is not an ISO 4217 currency code');
/** A decimal string (no float rounding on the wire), e.g. "1200.50"; negative for credit notes. */
export const decimalAmount = z.string().regex(/^-?(0|[1-9]\d{0,14})(\.\d{1,4})?$/, 'must be a decimal string such as "1200.50"');
/** Calendar date of issue, YYYY-MM-DD. */
export const issueDate = z.iso.date();

export const INVOICE_STATUSES = ['issued', 'paid', 'void'] as const;
export const invoiceStatus = z.enum(INVOICE_STATUSES);
export type InvoiceStatus = z.infer<typeof invoiceStatus>;

/** An invoice as the CRM sees it: a financial reference, no personal data. */
export const BooksInvoice = z.object({
  id: z.string().min(1),
  number: z.string().min(1),
  amount: decimalAmount,
  currency: currencyCode,
  issuedAt: issueDate,
  status: invoiceStatus,
});
export type BooksInvoice = z.infer<typeof BooksInvoice>;
export const BooksInvoiceList = z.array(BooksInvoice);

/** Personal data Books may hold about a CRM contact (the invoice's bill-to party). */
export const BOOKS_CONTACT_FIELDS = ['name', 'email', 'billingAddress'] as const;
export const booksContactField = z.enum(BOOKS_CONTACT_FIELDS);
export type BooksContactField = z.infer<typeof booksContactField>;

/** Bill-to details Books keeps for the contact (optional on an invoice; the last one given wins). */
export const BillTo = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  email: z.email().max(320).optional(),
  billingAddress: z.string().min(1).max(500).optional(),
});
export type BillTo = z.infer<typeof BillTo>;

/** `POST /v1/invoices`: gives a CRM contact an invoice (users and tests use it to set up Books). */
export const CreateInvoiceRequest = z.strictObject({
  crmContactId: z.string().min(1).max(200),
  number: z.string().min(1).max(64),
  amount: decimalAmount,
  currency: currencyCode,
  issuedAt: issueDate,
  billTo: BillTo.optional(),
});
export type CreateInvoiceRequest = z.infer<typeof CreateInvoiceRequest>;

/**
 * `POST /v1/contacts/:crmContactId/erase`. `erased`: personal-data fields Books no longer holds for the
 * contact; `retained`: fields it must keep (the bill-to party of issued invoices), with `legalBasis`
 * (null when nothing is retained). Idempotent: erasing again gives the same answer.
 */
export const EraseContactResponse = z.object({
  erased: z.array(booksContactField),
  retained: z.array(booksContactField),
  legalBasis: z.string().min(1).nullable(),
});
export type EraseContactResponse = z.infer<typeof EraseContactResponse>;

export const BooksRoutes = {
  /** `?crmContactId=...` (required) -> 200 `BooksInvoice[]`, oldest first; `[]` when the contact has none. */
  listInvoices: { method: 'GET', path: '/v1/invoices' },
  /** 201 `BooksInvoice` (status `issued`); a replay with the same Idempotency-Key -> 200 and the same invoice; another key with a used number -> 409 DUPLICATE_INVOICE_NUMBER. */
  createInvoice: { method: 'POST', path: '/v1/invoices' },
  /** 200 `EraseContactResponse`, also for a contact Books never knew (nothing held, nothing retained). */
  eraseContact: { method: 'POST', path: '/v1/contacts/:crmContactId/erase' },
} as const;
export type BooksRouteName = keyof typeof BooksRoutes;
