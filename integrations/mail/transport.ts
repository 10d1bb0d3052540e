/**
 * Transport-neutral outbound mail contract. Activities depend on this file only,
 * so SMTP and Microsoft 365 (Graph) mailboxes are interchangeable.
 */

/** A fully composed message ready to hand to a mailbox (see compose-message.ts). */
export interface OutgoingMail {
  /** SMTP envelope sender (MAIL FROM); for Graph the mailbox itself is the sender. */
  from: string;
  /** SMTP envelope recipient (RCPT TO). */
  to: string;
  /** RFC 5322 message, sent byte-for-byte. */
  raw: Buffer;
  /** The Message-ID header inside `raw`, with angle brackets, e.g. `<outbox-1@crm-workflows.local>`. */
  messageId: string;
}

export interface SendResult {
  /** Identifier that correlates the provider's copy with our outbox row (the Message-ID we set). */
  providerMessageId: string;
}

export interface MailTransport {
  send(msg: OutgoingMail): Promise<SendResult>;
  /** Releases sockets/caches; safe to call more than once. */
  close(): void;
}

/**
 * Where in the exchange a transport failed, which decides whether the message may have gone out:
 *  - `connect`: no connection or no greeting (SMTP), nothing was submitted;
 *  - `token`: the Graph access token could not be obtained, so sendMail was never called;
 *  - `submit`: the message was being submitted; the provider's answer (status) says how far it got.
 */
export type MailTransportStage = 'connect' | 'token' | 'submit';

export interface MailTransportErrorOptions {
  provider: 'smtp' | 'graph';
  stage: MailTransportStage;
  retryable: boolean;
  /** HTTP status (Graph) or SMTP reply code (SMTP), when the provider answered. */
  status?: number;
  /** Provider error code, e.g. `ErrorAccessDenied`, `invalid_client`, `ECONNECTION`. */
  code?: string;
  /** Provider-requested back-off (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * The one error type transports throw. `retryable` tells the activity whether a Temporal
 * retry can help (throttling, outage, network) or the mailbox needs a human (bad credentials,
 * missing permission, rejected message).
 */
export class MailTransportError extends Error {
  readonly provider: 'smtp' | 'graph';
  readonly stage: MailTransportStage;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, opts: MailTransportErrorOptions) {
    super(message, { cause: opts.cause });
    this.name = 'MailTransportError';
    this.provider = opts.provider;
    this.stage = opts.stage;
    this.retryable = opts.retryable;
    this.status = opts.status;
    this.code = opts.code;
    this.retryAfterMs = opts.retryAfterMs;
  }
}
