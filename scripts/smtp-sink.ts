/**
 * Local SMTP sink for `npm start` and tests: accepts every message and writes it to
 * `<dir>/<message-id>.eml`. A second delivery of the same Message-ID becomes `.dup-<n>.eml`
 * so tests can prove exactly-once delivery by counting files.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface SmtpSinkOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  dir: string;
}

export interface SmtpSink {
  port: number;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export async function startSmtpSink(opts: SmtpSinkOptions): Promise<SmtpSink> {
  const host = opts.host ?? '127.0.0.1';
  const dir = path.resolve(opts.dir);
  await fs.mkdir(dir, { recursive: true });

  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    // Accept any credentials in cleartext so an SMTP mailbox configured with a user still works locally.
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'anonymous' }),
    disabledCommands: ['STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    // Clients QUIT after each message; don't let a stuck one hold close() for the 30 s default.
    closeTimeout: 1_000,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err: Error) => callback(err));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error('Message exceeds fixed maximum message size'), { responseCode: 552 }));
          return;
        }
        const raw = Buffer.concat(chunks);
        storeMessage(dir, raw).then(
          () => callback(),
          (err: unknown) => callback(Object.assign(new Error(`sink write failed: ${String(err)}`), { responseCode: 451 })),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After startup, a client-side error must not crash the process.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Writes to a temp name first, then links: a reader never sees half a file and a duplicate never overwrites. */
async function storeMessage(dir: string, raw: Buffer): Promise<string> {
  const base = fileSafe(readMessageId(raw) ?? `no-message-id-${randomUUID()}`);
  const tmp = path.join(dir, `.incoming-${randomUUID()}.partial`);
  await fs.writeFile(tmp, raw);
  try {
    for (let n = 0; ; n++) {
      const target = path.join(dir, n === 0 ? `${base}.eml` : `${base}.dup-${n}.eml`);
      try {
        await fs.link(tmp, target); // fails with EEXIST instead of replacing
        return target;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  } finally {
    await fs.unlink(tmp).catch(() => undefined);
  }
}

/** Reads Message-ID from the header block (before the first empty line), handling folded lines. */
export function readMessageId(raw: Buffer): string | undefined {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const headers = (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const match = /^message-id:[ \t]*(.*)$/im.exec(headers);
  const id = match?.[1]?.trim().replace(/^<|>$/g, '').trim();
  return id ? id : undefined;
}

function fileSafe(id: string): string {
  // Keep it readable but safe on every OS; no path separators, no leading dot.
  return id.replace(/[^A-Za-z0-9._@+=-]/g, '_').replace(/^\.+/, '_').slice(0, 200);
}

if (require.main === module) {
  const port = Number(process.env.SMTP_SINK_PORT ?? 2525);
  const dir = path.resolve(process.env.MAIL_DIR ?? '.data/mail');
  startSmtpSink({ port, dir }).then(
    (sink) => {
      console.log(`smtp-sink listening on 127.0.0.1:${sink.port}, writing messages to ${dir}`);
      const stop = (): void => {
        sink.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: unknown) => {
      console.error('smtp-sink failed to start:', err);
      process.exit(1);
    },
  );
}
