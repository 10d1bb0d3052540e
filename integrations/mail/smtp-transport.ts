/** SMTP mailbox transport: hands the composed MIME to the server byte-for-byte. */
import { createTransport } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { MailTransportError, type MailTransport, type OutgoingMail, type SendResult } from './transport';

export interface SmtpTransportConfig {
  host: string;
  port: number;
  /** true = implicit TLS (465); false = plain/STARTTLS (587, 25, the local sink). */
  secure: boolean;
  user?: string;
  password?: string;
  /** Connection, greeting and socket timeout; defaults to 10 s so a dead server fails the attempt fast. */
  timeoutMs?: number;
}

// Configuration or content problems: retrying sends the same bad request again.
const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'EENVELOPE', 'EMESSAGE', 'ETLS', 'EPROTOCOL']);

export function createSmtpTransport(config: SmtpTransportConfig): MailTransport {
  const timeout = config.timeoutMs ?? 10_000;
  const options: SMTPTransport.Options = {
    host: config.host,
    port: config.port,
    secure: config.secure,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    ...(config.user !== undefined ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
  };
  // Pooled: a connection (TCP, greeting, EHLO, AUTH) serves many sends instead of one, which made
  // it half of a send's SMTP work. An idle connection closes after socketTimeout (10 s), well before
  // a server may drop it (RFC 5321: 5 minutes). Never twice: nodemailer would requeue a message whose
  // connection closed mid-send onto another connection; maxRequeues 0 fails it instead, and that
  // failure (stage `submit`, no reply code) is judged `unknown`: the step becomes uncertain, as a
  // socket dying mid-send always did. At most 5 connections per mailbox; further sends wait for one.
  const transporter = createTransport({ ...options, pool: true, maxConnections: 5, maxMessages: 100, maxRequeues: 0 } as SMTPPool.Options);

  return {
    async send(msg: OutgoingMail): Promise<SendResult> {
      try {
        // `raw` bypasses nodemailer's composer, so the envelope must be explicit.
        await transporter.sendMail({ envelope: { from: msg.from, to: [msg.to] }, raw: msg.raw });
      } catch (err) {
        throw toTransportError(err);
      }
      return { providerMessageId: msg.messageId };
    },
    close(): void {
      transporter.close();
    },
  };
}

function toTransportError(err: unknown): MailTransportError {
  const e = (err ?? {}) as { message?: unknown; code?: unknown; responseCode?: unknown; command?: unknown; syscall?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const retryable =
    status !== undefined
      ? status >= 400 && status < 500 // 4xx = temporary, 5xx = permanent (RFC 5321)
      : // Network errors (ECONNECTION, ETIMEDOUT, ESOCKET, EDNS) and unknown ones: a retry may help.
        code === undefined || !PERMANENT_CODES.has(code);
  return new MailTransportError(`SMTP send failed: ${message}`, { provider: 'smtp', stage: failedBeforeSubmission(e) ? 'connect' : 'submit', retryable, status, code, cause: err });
}

/**
 * nodemailer's connect and greeting timers (ETIMEDOUT on the CONN command), a DNS failure and a refused
 * connect all fire before any SMTP command was sent. A socket error later (also reported on CONN) does not.
 */
function failedBeforeSubmission(e: { code?: unknown; command?: unknown; syscall?: unknown }): boolean {
  return (e.code === 'ETIMEDOUT' && e.command === 'CONN') || e.code === 'EDNS' || e.syscall === 'connect';
}
