/**
 * Builds the MailTransport for a mailbox row: SMTP (nodemailer) or Microsoft 365 (Graph).
 * Transports are cached per mailbox and configuration, so a Graph transport keeps its access token
 * across sends; editing the mailbox's settings or secret replaces it.
 */
import { createGraphTransport } from './graph-transport';
import { createSmtpTransport } from './smtp-transport';
import type { MailTransport } from './transport';

/** What a transport needs of a mailbox (a `mailboxes` row has these columns); the secret is already decrypted. */
export interface MailboxRow {
  id: string;
  provider: 'smtp' | 'm365';
  address: string;
  settings: Record<string, unknown>;
  secret: string | null;
}

export interface MailboxTransportOptions {
  /** Graph endpoints (tests point both at the Graph emulator); default Microsoft's. */
  graphAuthorityUrl?: string;
  graphUrl?: string;
  fetch?: typeof fetch;
  smtpTimeoutMs?: number;
}

export interface MailboxTransports {
  forMailbox(mailbox: MailboxRow): MailTransport;
  closeAll(): void;
}

/** A mailbox whose stored settings cannot make a transport (an admin must fix it). */
export class MailboxConfigError extends Error {
  override readonly name = 'MailboxConfigError';
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function build(mailbox: MailboxRow, opts: MailboxTransportOptions): MailTransport {
  const s = mailbox.settings;
  if (mailbox.provider === 'smtp') {
    const host = str(s.host);
    const port = Number(s.port);
    if (!host || !Number.isInteger(port)) throw new MailboxConfigError('SMTP mailbox has no host or port');
    return createSmtpTransport({ host, port, secure: s.secure === true, user: str(s.user), password: mailbox.secret ?? undefined, timeoutMs: opts.smtpTimeoutMs });
  }
  const tenantId = str(s.tenantId);
  const clientId = str(s.clientId);
  if (!tenantId || !clientId || !mailbox.secret) throw new MailboxConfigError('Microsoft 365 mailbox lacks tenantId, clientId or client secret');
  return createGraphTransport({
    tenantId,
    clientId,
    clientSecret: mailbox.secret,
    mailboxAddress: mailbox.address,
    authorityUrl: opts.graphAuthorityUrl,
    graphUrl: opts.graphUrl,
    fetch: opts.fetch,
  });
}

export function createMailboxTransports(opts: MailboxTransportOptions = {}): MailboxTransports {
  const cache = new Map<string, { version: string; transport: MailTransport }>();
  return {
    forMailbox(mailbox) {
      // Connection state and limits do not matter to the transport; settings, secret and address do.
      const version = JSON.stringify([mailbox.provider, mailbox.address, mailbox.settings, mailbox.secret]);
      const cached = cache.get(mailbox.id);
      if (cached?.version === version) return cached.transport;
      cached?.transport.close();
      const transport = build(mailbox, opts);
      cache.set(mailbox.id, { version, transport });
      return transport;
    },
    closeAll() {
      for (const { transport } of cache.values()) transport.close();
      cache.clear();
    },
  };
}
