/**
 * Rows go to PostgreSQL with COPY … FROM STDIN (text format), written in chunks with backpressure: the
 * fastest way in, and memory stays at one chunk whatever the file's size. On a connection of its own
 * (staging an upload) or on a transaction's (db/pinned-transaction.ts).
 */
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'node:stream';

const SPECIAL = /[\\\n\r\t\0]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '' };

/** One value in COPY's text format: \N for null; backslash, newline, CR and tab escaped; NUL dropped (PostgreSQL text cannot hold it). */
export function copyText(value: string | number | null): string {
  if (value === null) return '\\N';
  const s = String(value);
  return SPECIAL.test(s) ? s.replace(/[\\\n\r\t\0]/g, (c) => ESCAPES[c]!) : s;
}

/**
 * A JSON value as one COPY text value (\N for undefined or null): JSON text holds no raw line break, tab
 * or NUL (JSON.stringify escapes them), so only its backslashes are doubled. Cheaper than copyText.
 */
export function copyJson(value: unknown): string {
  const s = value === undefined ? undefined : JSON.stringify(value);
  if (s === undefined || s === 'null') return '\\N';
  return s.includes('\\') ? s.replaceAll('\\', '\\\\') : s;
}

/** One row as a COPY text line. */
export const copyLine = (values: (string | number | null)[]): string => `${values.map(copyText).join('\t')}\n`;

export interface CopyWriter {
  write(values: (string | number | null)[]): Promise<void>;
  /** Sends what is buffered and completes the COPY; resolves with the rows PostgreSQL took. */
  finish(): Promise<number>;
  /** Abandons the COPY (nothing of it is kept). */
  abort(err: Error): Promise<void>;
}

const CHUNK_CHARS = 256 * 1024;

/** Resolves on `event`, rejects on 'error'; removes both listeners either way. */
function settle(stream: Writable, event: 'drain' | 'finish'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onEvent = () => {
      cleanup();
      resolve();
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      stream.off(event, onEvent);
      stream.off('error', onError);
    };
    stream.on(event, onEvent);
    stream.on('error', onError);
  });
}

/** A COPY on a connection of its own from the pool, released when the COPY ends. */
export async function openCopyWriter(pool: Pool, statement: string): Promise<CopyWriter> {
  const client: PoolClient = await pool.connect();
  return copyWriterOn(client, statement, (err) => client.release(err));
}

/** Copies `rows` on `client` (which may be inside a transaction: the rows commit or roll back with it). */
export async function copyRows(client: PoolClient, statement: string, rows: Iterable<(string | number | null)[]>): Promise<number> {
  return copyLines(client, statement, (function* () {
    for (const row of rows) yield copyLine(row);
  })());
}

/** copyRows for lines already in COPY text form (each ends with a line break); awaited only when a chunk is full, not per line. */
export async function copyLines(client: PoolClient, statement: string, lines: Iterable<string>): Promise<number> {
  const copy = copyWriterOn(client, statement, () => undefined);
  try {
    for (const line of lines) {
      const full = copy.append(line);
      if (full) await full;
    }
  } catch (err) {
    await copy.abort(err as Error);
    throw err;
  }
  return copy.finish();
}

function copyWriterOn(client: PoolClient, statement: string, onEnd: (err?: Error) => void): CopyWriter & { append(line: string): Promise<void> | undefined } {
  const stream = client.query(copyFrom(statement));
  let failure: Error | undefined;
  stream.on('error', (err: Error) => (failure ??= err));
  let buffer = '';
  let released = false;
  const release = (err?: Error) => {
    if (released) return;
    released = true;
    onEnd(err);
  };

  async function flush(): Promise<void> {
    if (failure) throw failure;
    if (buffer.length === 0) return;
    const chunk = buffer;
    buffer = '';
    if (!stream.write(chunk)) await settle(stream, 'drain');
    if (failure) throw failure;
  }

  /** Buffers a line; a promise (to await) only when the chunk is full and goes out. */
  const append = (line: string): Promise<void> | undefined => {
    buffer += line;
    return buffer.length >= CHUNK_CHARS ? flush() : undefined;
  };

  return {
    append,
    async write(values) {
      await append(copyLine(values));
    },
    async finish() {
      try {
        await flush();
        if (failure) throw failure;
        const done = settle(stream, 'finish');
        stream.end();
        await done;
        release();
        return stream.rowCount;
      } catch (err) {
        release(err as Error);
        throw err;
      }
    },
    async abort(err) {
      if (released) return;
      // Destroying the stream sends CopyFail: PostgreSQL discards every row of this COPY.
      stream.destroy(err);
      await new Promise((r) => setImmediate(r));
      release(err);
    },
  };
}
