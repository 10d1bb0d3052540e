/**
 * Builds the RFC 5322 message for one outbox row. The same bytes go to SMTP and to Graph
 * (MIME sendMail), so List-Unsubscribe survives on both transports.
 */
import MailComposer from 'nodemailer/lib/mail-composer';

export interface MailAddress {
  address: string;
  name?: string;
}

export interface ComposeMessageInput {
  /** Deterministic per outbox row, e.g. `<outbox-123@crm-workflows.local>`; retries reuse it. */
  messageId: string;
  from: MailAddress;
  to: string;
  subject: string;
  html?: string;
  text?: string;
  /** One-click unsubscribe endpoint (RFC 8058); must be http(s). */
  unsubscribeUrl: string;
  headers?: Record<string, string>;
  /** Date header; defaults to now. */
  date?: Date;
}

export interface ComposedMessage {
  raw: Buffer;
  /** Normalised to `<...>`, exactly as written in the header. */
  messageId: string;
}

// Headers we own: a caller-supplied duplicate would make the message ambiguous.
const RESERVED_HEADERS = new Set([
  'message-id', 'date', 'from', 'to', 'subject', 'list-unsubscribe', 'list-unsubscribe-post',
  'mime-version', 'content-type', 'content-transfer-encoding', 'cc', 'bcc', 'sender', 'reply-to',
]);
const HEADER_NAME = /^[!-9;-~]+$/; // RFC 5322 field-name: printable ASCII except ':'
const MESSAGE_ID = /^<?[^<>\s@]+@[^<>\s@]+>?$/;

export async function composeMessage(input: ComposeMessageInput): Promise<ComposedMessage> {
  if (input.html === undefined && input.text === undefined) {
    throw new Error('composeMessage: html or text is required');
  }
  if (!MESSAGE_ID.test(input.messageId)) {
    throw new Error(`composeMessage: invalid Message-ID ${JSON.stringify(input.messageId)}`);
  }
  const messageId = `<${input.messageId.replace(/^<|>$/g, '')}>`;
  const unsubscribeUrl = checkUnsubscribeUrl(input.unsubscribeUrl);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new Error(`composeMessage: header ${JSON.stringify(name)} is not allowed`);
    }
    headers[name] = value;
  }
  headers['List-Unsubscribe'] = `<${unsubscribeUrl}>`;
  headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';

  const node = new MailComposer({
    messageId,
    date: input.date ?? new Date(),
    from: input.from.name ? { name: input.from.name, address: input.from.address } : input.from.address,
    to: input.to,
    subject: input.subject,
    ...(input.text !== undefined ? { text: crlf(input.text) } : {}),
    ...(input.html !== undefined ? { html: crlf(input.html) } : {}),
    headers,
  }).compile();
  const raw = await node.build();
  return { raw, messageId };
}

/**
 * MailComposer leaves bare LFs in 7bit parts; SMTP clients would rewrite them to CRLF in transit,
 * so the bytes on the wire (and in Graph) would differ from `raw`. RFC 5322 wants CRLF anyway.
 */
function crlf(body: string): string {
  return body.replace(/\r\n|\r|\n/g, '\r\n');
}

function checkUnsubscribeUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`composeMessage: unsubscribeUrl is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error('composeMessage: unsubscribeUrl must be http(s) for one-click unsubscribe');
  }
  // href percent-encodes `<`, `>` and spaces, which would break List-Unsubscribe's <...> syntax.
  return url.href;
}
