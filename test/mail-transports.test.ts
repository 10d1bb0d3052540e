import { promises as fs } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { classifyTransportError } from '../activities/sequences/transport-outcome';
import { composeMessage, type ComposeMessageInput } from '../integrations/mail/compose-message';
import { createGraphTransport, MailTransportError } from '../integrations/mail/graph-transport';
import { createSmtpTransport } from '../integrations/mail/smtp-transport';
import type { MailTransport, OutgoingMail } from '../integrations/mail/transport';
import { startSmtpSink, type SmtpSink } from '../scripts/smtp-sink';
import { startGraphEmulator, type GraphEmulator } from './emulators/graph-emulator';

const UNSUB = 'https://crm.example.test/u/one-click?t=abc123';

function input(id: number, overrides: Partial<ComposeMessageInput> = {}): ComposeMessageInput {
  return {
    messageId: `<outbox-${id}@crm-workflows.local>`,
    from: { address: 'sales@example.test', name: 'Sales Team' },
    to: 'lead@customer.test',
    subject: `Step ${id}: hello`,
    html: `<p>Hello</p><p><a href="${UNSUB}">Unsubscribe</a></p>`,
    text: `Hello\n\nUnsubscribe: ${UNSUB}`,
    unsubscribeUrl: UNSUB,
    ...overrides,
  };
}

async function outgoing(id: number): Promise<OutgoingMail> {
  const { raw, messageId } = await composeMessage(input(id));
  return { from: 'sales@example.test', to: 'lead@customer.test', raw, messageId };
}

// mailparser folds List-* headers into one structured `list` header; headerLines keeps them apart.
function headerLines(parsed: ParsedMail): Record<string, string> {
  return Object.fromEntries(parsed.headerLines.map((h) => [h.key, h.line]));
}

async function emlFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
}

describe('composeMessage', () => {
  it('sets Message-ID, Date, both RFC 8058 headers and an html+text alternative', async () => {
    const { raw, messageId } = await composeMessage(input(1, { headers: { 'X-Crm-Enrollment': 'enr-9' } }));
    expect(messageId).toBe('<outbox-1@crm-workflows.local>');
    const text = raw.toString('utf8');
    expect(text).toMatch(/^Message-ID: <outbox-1@crm-workflows\.local>\r$/m);
    expect(text).toMatch(/^Date: .+\r$/m);
    expect(text).toMatch(/^List-Unsubscribe: <https:\/\/crm\.example\.test\/u\/one-click\?t=abc123>\r$/m);
    expect(text).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(text).toMatch(/^Content-Type: multipart\/alternative;/m);

    const parsed = await simpleParser(raw);
    expect(parsed.messageId).toBe('<outbox-1@crm-workflows.local>');
    expect(parsed.html).toContain('<p>Hello</p>');
    expect(parsed.text).toContain('Unsubscribe: ' + UNSUB);
    expect(parsed.headers.get('x-crm-enrollment')).toBe('enr-9');
  });

  it('requires html or text and refuses to override its own headers', async () => {
    await expect(composeMessage(input(2, { html: undefined, text: undefined }))).rejects.toThrow(/html or text/);
    await expect(composeMessage(input(3, { headers: { 'list-unsubscribe': '<mailto:x@y>' } }))).rejects.toThrow(/not allowed/);
    await expect(composeMessage(input(4, { unsubscribeUrl: 'javascript:alert(1)' }))).rejects.toThrow(/http/);
  });
});

describe('SMTP transport -> SMTP sink', () => {
  let dir: string;
  let sink: SmtpSink;
  let transport: MailTransport;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'crm-mail-sink-'));
    sink = await startSmtpSink({ port: 0, dir: path.join(dir, 'mail') });
    transport = createSmtpTransport({ host: '127.0.0.1', port: sink.port, secure: false });
  });

  afterAll(async () => {
    transport.close();
    await sink.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('delivers one .eml with the unsubscribe headers, and a duplicate delivery as .dup-1.eml', async () => {
    const mailDir = path.join(dir, 'mail');
    const msg = await outgoing(10);
    await expect(transport.send(msg)).resolves.toEqual({ providerMessageId: '<outbox-10@crm-workflows.local>' });
    expect(await emlFiles(mailDir)).toEqual(['outbox-10@crm-workflows.local.eml']);

    const stored = await fs.readFile(path.join(mailDir, 'outbox-10@crm-workflows.local.eml'));
    expect(stored.equals(msg.raw)).toBe(true); // byte-for-byte: nodemailer did not re-encode it
    const parsed = await simpleParser(stored);
    expect(parsed.subject).toBe('Step 10: hello');
    expect(headerLines(parsed)).toEqual(expect.objectContaining({
      'list-unsubscribe': `List-Unsubscribe: <${UNSUB}>`,
      'list-unsubscribe-post': 'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    }));

    await transport.send(msg);
    expect(await emlFiles(mailDir)).toEqual([
      'outbox-10@crm-workflows.local.dup-1.eml',
      'outbox-10@crm-workflows.local.eml',
    ]);
  });

  it('reports a refused connection as a retryable MailTransportError', async () => {
    const closed = await startSmtpSink({ port: 0, dir: path.join(dir, 'unused') });
    await closed.close();
    const dead = createSmtpTransport({ host: '127.0.0.1', port: closed.port, secure: false, timeoutMs: 2_000 });
    const err: unknown = await dead.send(await outgoing(11)).catch((e: unknown) => e);
    dead.close();
    expect(err).toBeInstanceOf(MailTransportError);
    expect((err as MailTransportError).retryable).toBe(true);
  });
});

describe('SMTP transport: pooled connections', () => {
  /** A server that counts connections and deliveries (smtp-server, as the sink). */
  async function countingServer() {
    const counts = { connections: 0, deliveries: 0 };
    const server = new SMTPServer({
      logger: false,
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onConnect: (_session, callback) => (counts.connections++, callback()),
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => (counts.deliveries++, callback()));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    return { counts, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  /** A TCP proxy that forwards the end of the first DATA (CRLF.CRLF) and then cuts that connection, before the reply. */
  async function cutAfterFirstData(targetPort: number) {
    let cut = false;
    const proxy = net.createServer((client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      upstream.on('data', (d) => client.write(d));
      let tail = ''; // the end of DATA may span two chunks
      client.on('data', (d) => {
        const seen = tail + d.toString('latin1');
        tail = seen.slice(-4);
        if (!cut && seen.includes('\r\n.\r\n')) {
          cut = true;
          upstream.end(d);
          client.destroy();
          return;
        }
        upstream.write(d);
      });
      for (const s of [client, upstream]) s.on('error', () => undefined);
      client.on('close', () => upstream.end());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    return { port: (proxy.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => proxy.close(() => resolve())) };
  }

  it('sends consecutive messages over one connection', async () => {
    const server = await countingServer();
    const transport = createSmtpTransport({ host: '127.0.0.1', port: server.port, secure: false });
    try {
      for (const id of [20, 21, 22]) await transport.send(await outgoing(id));
      expect(server.counts).toEqual({ connections: 1, deliveries: 3 });
    } finally {
      transport.close();
      await server.close();
    }
  });

  it('never hands a message over again when its connection drops mid-send: no requeue onto another connection, and the failure is "may have gone out"', async () => {
    const server = await countingServer();
    const proxy = await cutAfterFirstData(server.port);
    const transport = createSmtpTransport({ host: '127.0.0.1', port: proxy.port, secure: false, timeoutMs: 2_000 });
    try {
      const err: unknown = await transport.send(await outgoing(23)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MailTransportError);
      expect(classifyTransportError(err)).toBe('unknown');
      // Time for any requeue to open a second connection and deliver again.
      await new Promise((r) => setTimeout(r, 500));
      expect(server.counts.connections).toBe(1);
      expect(server.counts.deliveries).toBeLessThanOrEqual(1);
    } finally {
      transport.close();
      await proxy.close();
      await server.close();
    }
  });
});

describe('Graph transport -> Graph emulator', () => {
  const creds = { tenantId: 'tenant-1', clientId: 'client-1', clientSecret: 'secret-1' };
  let emu: GraphEmulator;

  beforeEach(async () => {
    emu = await startGraphEmulator(creds);
  });
  afterEach(async () => {
    await emu.close();
  });

  function graph(overrides: { clientSecret?: string } = {}): MailTransport {
    return createGraphTransport({
      ...creds,
      ...overrides,
      mailboxAddress: 'sales@example.test',
      authorityUrl: emu.url,
      graphUrl: emu.url,
    });
  }

  it('sends MIME with List-Unsubscribe intact and caches the token across sends', async () => {
    const t = graph();
    const first = await outgoing(20);
    await expect(t.send(first)).resolves.toEqual({ providerMessageId: '<outbox-20@crm-workflows.local>' });
    await t.send(await outgoing(21));
    expect(emu.tokenRequests).toBe(1);
    expect(emu.messages.map((m) => m.mailbox)).toEqual(['sales@example.test', 'sales@example.test']);
    expect(emu.messages[0]?.raw).toBe(first.raw.toString('utf8')); // base64 round-trip is lossless
    const parsed = await simpleParser(emu.messages[0]?.raw ?? '');
    expect(parsed.messageId).toBe('<outbox-20@crm-workflows.local>');
    expect(headerLines(parsed)['list-unsubscribe-post']).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(parsed.headers.get('list')).toEqual({ unsubscribe: { url: UNSUB }, 'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' } });
  });

  it('shares one token request between concurrent sends', async () => {
    const t = graph();
    await Promise.all([outgoing(22), outgoing(23), outgoing(24)].map(async (m) => t.send(await m)));
    expect(emu.tokenRequests).toBe(1);
    expect(emu.messages).toHaveLength(3);
  });

  it('refreshes an expired token after a 401 and retries once', async () => {
    const t = graph();
    await t.send(await outgoing(25));
    emu.expireTokens();
    await t.send(await outgoing(26));
    expect(emu.tokenRequests).toBe(2);
    expect(emu.messages).toHaveLength(2);
  });

  it('fails a bad client secret as non-retryable', async () => {
    const err: unknown = await graph({ clientSecret: 'wrong' }).send(await outgoing(27)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailTransportError);
    expect(err).toMatchObject({ retryable: false, status: 401, code: 'invalid_client' });
    expect(emu.messages).toHaveLength(0);
  });

  it('fails a 503 from sendMail as retryable with Retry-After', async () => {
    const t = graph();
    emu.failNext(503, 1);
    const err: unknown = await t.send(await outgoing(28)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailTransportError);
    expect(err).toMatchObject({ retryable: true, status: 503, retryAfterMs: 1000 });
    await t.send(await outgoing(28)); // the activity retry succeeds
    expect(emu.messages).toHaveLength(1);
  });

  it('fails a 403 from sendMail as non-retryable', async () => {
    const t = graph();
    emu.failNext(403, 1);
    await expect(t.send(await outgoing(29))).rejects.toMatchObject({ retryable: false, status: 403 });
  });
});
