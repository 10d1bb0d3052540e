/**
 * Typed errors of the Books client. `name` is explicit: Temporal uses an error's class name as the
 * ApplicationFailure type (e.g. for nonRetryableErrorTypes). Messages carry routes, statuses and Books
 * error codes only, never request or response bodies (they may hold personal data).
 */

/** Network error, timeout or 5xx, after the client's own retries. Retryable. */
export class BooksUnreachableError extends Error {
  override readonly name = 'BooksUnreachableError';
  // Reason code of the erasure step that waits on Books.
  readonly code = 'BOOKS_UNREACHABLE';
  constructor(
    message: string,
    readonly attempts: number,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 401/403: Books refused BOOKS_API_KEY. Not retryable: someone must fix the configuration. */
export class BooksAuthError extends Error {
  override readonly name = 'BooksAuthError';
  readonly code = 'BOOKS_AUTH_FAILED';
  constructor(readonly status: number) {
    super(`Books answered ${status}: it does not accept BOOKS_API_KEY; set BOOKS_API_KEY to the key configured in Books.`);
  }
}

/** 429: Books is rate limiting us. Retryable later (Temporal's backoff), unlike a rejection. */
export class BooksQuotaError extends Error {
  override readonly name = 'BooksQuotaError';
  readonly code = 'BOOKS_QUOTA_EXCEEDED';
  constructor(readonly status: number) {
    super(`Books answered ${status}: too many requests; retry later.`);
  }
}

/** Any other 4xx, or a 2xx whose body does not match the API schema. Not retryable. */
export class BooksRejectedError extends Error {
  override readonly name = 'BooksRejectedError';
  readonly code = 'BOOKS_REQUEST_REJECTED';
  constructor(
    message: string,
    readonly status: number,
    /** Books' own error code (e.g. DUPLICATE_INVOICE_NUMBER), when it sent one. */
    readonly booksCode?: string,
  ) {
    super(message);
  }
}
