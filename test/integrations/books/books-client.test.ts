/** Books client against the Books emulator: invoices, erasure, idempotency, auth, faults. */
import { BooksAuthError, BooksQuotaError, BooksRejectedError, BooksUnreachableError } from '../../../integrations/books/errors';
import { createBooksClient, type BooksClient, type BooksClientConfig } from '../../../integrations/books/client';
import type { CreateInvoiceRequest } from '../../../integrations/books/api';
import { INVOICE_RETENTION_BASIS, startBooksEmulator, type BooksEmulator } from '../../emulators/books/books-emulator';

const KEY = 'books-key-0123456789';
const ADA = { name: 'Ada Lovelace', email: 'ada.lovelace@example.com', billingAddress: '12 St James Square, London' };

let emulator: BooksEmulator;
let seq = 0;

beforeEach(async () => {
  emulator = await startBooksEmulator({ apiKey: KEY });
});
afterEach(async () => {
  await emulator.close();
});

function client(extra: Partial<BooksClientConfig> = {}): BooksClient {
  return createBooksClient({ baseUrl: emulator.url, apiKey: KEY, retries: 2, retryBaseMs: 5, timeoutMs: 2000, ...extra });
}

function invoice(crmContactId: string, extra: Partial<CreateInvoiceRequest> = {}): CreateInvoiceRequest {
  return { crmContactId, number: `INV-${++seq}`, amount: '1200.50', currency: 'EUR', issuedAt: '2024-12-31', ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err as Error,
  );
}

describe('invoices', () => {
  it('creates invoices and lists them per contact, with financial fields only', async () => {
    const books = client();
    const first = await books.createInvoice(invoice('c-1', { billTo: ADA }));
    expect(first.created).toBe(true);
    expect(first.invoice).toEqual({ id: expect.any(String), number: `INV-${seq}`, amount: '1200.50', currency: 'EUR', issuedAt: '2024-12-31', status: 'issued' });
    await books.createInvoice(invoice('c-1', { amount: '-10', currency: 'GBP', issuedAt: '2025-02-28' }));
    await books.createInvoice(invoice('c-2'));

    const list = await books.listInvoices('c-1');
    expect(list.map((i) => [i.amount, i.currency, i.issuedAt])).toEqual([
      ['1200.50', 'EUR', '2024-12-31'],
      ['-10', 'GBP', '2025-02-28'],
    ]);
    expect(JSON.stringify(list)).not.toMatch(/Ada|lovelace|James/);
    await expect(books.listInvoices('nobody')).resolves.toEqual([]);
    // Bill-to data landed in Books' contact record.
    expect(emulator.state.contacts.get('c-1')).toEqual({ crmContactId: 'c-1', ...ADA });
  });

  it('replays a write with the same Idempotency-Key instead of creating a second invoice', async () => {
    const books = client();
    const input = invoice('c-1');
    const a = await books.createInvoice(input);
    const b = await books.createInvoice(input);
    expect(b).toEqual({ invoice: a.invoice, created: false });
    expect(emulator.state.invoices.size).toBe(1);
    expect(emulator.state.createInvoiceWrites).toBe(1);
    expect(emulator.state.callsByIdempotencyKey.get(`invoice:${input.number}`)).toBe(2);
  });

  it('refuses a reused key with another body, and a taken number under another key', async () => {
    const books = client();
    const input = invoice('c-1');
    await books.createInvoice(input);
    const reused = await rejection(books.createInvoice({ ...input, amount: '1.00' }));
    expect(reused).toBeInstanceOf(BooksRejectedError);
    expect(reused).toMatchObject({ name: 'BooksRejectedError', code: 'BOOKS_REQUEST_REJECTED', status: 422, booksCode: 'IDEMPOTENCY_KEY_REUSED' });
    const duplicate = await rejection(books.createInvoice(input, { idempotencyKey: 'another-key' }));
    expect(duplicate).toMatchObject({ status: 409, booksCode: 'DUPLICATE_INVOICE_NUMBER' });
  });

  it('rejects invalid invoices without quoting the submitted personal data', async () => {
    const books = client();
    const bad = await rejection(books.createInvoice(invoice('c-1', { currency: 'XYZ', billTo: { ...ADA, email: 'ada.lovelace@' } })));
    expect(bad).toBeInstanceOf(BooksRejectedError);
    expect(bad).toMatchObject({ status: 400, booksCode: 'INVALID_REQUEST' });
    expect(bad.message).toBe('Books rejected createInvoice with HTTP 400 (INVALID_REQUEST)');
    expect(emulator.state.invoices.size).toBe(0);
  });
});

describe('erase', () => {
  it('with invoices: erases what it may, retains the bill-to party with the legal basis', async () => {
    const books = client();
    await books.createInvoice(invoice('c-1', { billTo: ADA }));
    const result = await books.eraseContact('c-1');
    expect(result).toEqual({ erased: ['email'], retained: ['name', 'billingAddress'], legalBasis: INVOICE_RETENTION_BASIS });
    expect(emulator.state.contacts.get('c-1')).toEqual({ crmContactId: 'c-1', name: ADA.name, billingAddress: ADA.billingAddress });
    // The financial references are untouched.
    await expect(books.listInvoices('c-1')).resolves.toHaveLength(1);
  });

  it('without invoices: erases every field and retains nothing', async () => {
    emulator.setContact({ crmContactId: 'c-2', ...ADA });
    const result = await client().eraseContact('c-2');
    expect(result).toEqual({ erased: ['name', 'email', 'billingAddress'], retained: [], legalBasis: null });
    expect(emulator.state.contacts.has('c-2')).toBe(false);
  });

  it('a contact Books never knew: nothing held, nothing retained', async () => {
    await expect(client().eraseContact('unknown')).resolves.toEqual({ erased: ['name', 'email', 'billingAddress'], retained: [], legalBasis: null });
  });

  it('is idempotent: a replayed erase answers the first result and writes once', async () => {
    const books = client();
    await books.createInvoice(invoice('c-1', { billTo: ADA }));
    const first = await books.eraseContact('c-1', { idempotencyKey: 'erase:req-1:c-1' });
    const again = await books.eraseContact('c-1', { idempotencyKey: 'erase:req-1:c-1' });
    expect(again).toEqual(first);
    expect(emulator.state.eraseWrites).toBe(1);
    expect(emulator.state.callsByIdempotencyKey.get('erase:req-1:c-1')).toBe(2);
  });
});

describe('auth and faults', () => {
  it('a wrong key is a BooksAuthError naming BOOKS_API_KEY, not retried', async () => {
    const err = await rejection(client({ apiKey: 'wrong' }).listInvoices('c-1'));
    expect(err).toBeInstanceOf(BooksAuthError);
    expect(err).toMatchObject({ name: 'BooksAuthError', code: 'BOOKS_AUTH_FAILED', status: 401 });
    expect(err.message).toMatch(/BOOKS_API_KEY/);
    expect(err.message).not.toContain(KEY);
    expect(emulator.state.requests).toBe(1);
  });

  it('5xx then recovery: the client retries and succeeds', async () => {
    emulator.failNext(2);
    await expect(client().listInvoices('c-1')).resolves.toEqual([]);
    expect(emulator.state.requests).toBe(3);
  });

  it('5xx on every attempt: BooksUnreachableError with the last status', async () => {
    emulator.failNext(10, { status: 502 });
    const err = await rejection(client().eraseContact('c-1'));
    expect(err).toBeInstanceOf(BooksUnreachableError);
    expect(err).toMatchObject({ name: 'BooksUnreachableError', code: 'BOOKS_UNREACHABLE', attempts: 3, status: 502 });
    expect(emulator.state.requests).toBe(3);
    expect(emulator.state.eraseWrites).toBe(0);
  });

  it('429 is a BooksQuotaError (retry later), not retried by the client and not a rejection', async () => {
    emulator.failNext(1, { status: 429 });
    const err = await rejection(client().listInvoices('c-1'));
    expect(err).toBeInstanceOf(BooksQuotaError);
    expect(err).toMatchObject({ name: 'BooksQuotaError', code: 'BOOKS_QUOTA_EXCEEDED', status: 429 });
    expect(emulator.state.requests).toBe(1);
  });

  it('only the named route fails when failNext names one', async () => {
    emulator.failNext(1, { route: 'eraseContact' });
    await expect(client({ retries: 0 }).listInvoices('c-1')).resolves.toEqual([]);
    await expect(client({ retries: 0 }).eraseContact('c-1')).rejects.toThrow(BooksUnreachableError);
    await expect(client({ retries: 0 }).eraseContact('c-1')).resolves.toMatchObject({ retained: [] });
  });

  it('unreachable (connections refused): BooksUnreachableError after the retries; back online, it works', async () => {
    await emulator.goOffline();
    const err = await rejection(client().listInvoices('c-1'));
    expect(err).toBeInstanceOf(BooksUnreachableError);
    expect(err).toMatchObject({ attempts: 3, status: undefined });
    expect(err.message).toMatch(/listInvoices failed after 3 attempts: .*ECONNREFUSED/);
    expect(emulator.state.requests).toBe(0);

    await emulator.goOnline();
    await expect(client().listInvoices('c-1')).resolves.toEqual([]);
  });

  it('slow answers: past the timeout each attempt is abandoned; within it, answers arrive', async () => {
    emulator.setLatencyMs(300);
    const err = await rejection(client({ timeoutMs: 100, retries: 1 }).listInvoices('c-1'));
    expect(err).toBeInstanceOf(BooksUnreachableError);
    expect(err.message).toMatch(/TimeoutError/);
    await expect(client({ timeoutMs: 2000 }).listInvoices('c-1')).resolves.toEqual([]);
  });

  it('the emulator requires an Idempotency-Key on writes', async () => {
    const res = await fetch(`${emulator.url}/v1/contacts/c-1/erase`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'IDEMPOTENCY_KEY_REQUIRED', message: 'Idempotency-Key header is required' } });
    expect(emulator.state.eraseWrites).toBe(0);
  });
});
