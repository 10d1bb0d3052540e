/**
 * An uploaded CSV as records, streamed: the bytes are counted (IMPORT_MAX_BYTES), the first 64 KiB
 * decide the encoding and the delimiter (domain/imports/sniff.ts), iconv-lite decodes (and drops a
 * BOM), Papa Parse splits (quotes, embedded newlines; about six times faster than csv-parse here, which
 * was a third of staging). Records come in the chunks they were parsed from, a bounded number of them
 * waiting: the parser pauses its input while the consumer is behind.
 */
import iconv from 'iconv-lite';
import Papa from 'papaparse';
import { Readable } from 'node:stream';
import { detectDelimiter, detectEncoding, SNIFF_BYTES, type Delimiter } from '../../domain/imports/sniff';
import type { ImportEncoding } from '../../domain/imports/vocabulary';

/** The upload is over the byte limit. */
export class UploadTooLargeError extends Error {
  override readonly name = 'UploadTooLargeError';
}

/** The bytes are not CSV the parser can read (an unclosed quote, …); `row` is where (the header is row 1). */
export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
  constructor(
    message: string,
    readonly row: number,
  ) {
    super(message);
  }
}

export interface CsvSource {
  encoding: ImportEncoding;
  delimiter: Delimiter;
  /** The records (the header first), in chunks. */
  records: AsyncIterable<string[][]>;
  /** Bytes read so far. */
  bytes(): number;
}

/** A record longer than this (an unclosed quote swallowing the rest of the file) fails the upload. */
const MAX_RECORD_CHARS = 1_000_000;
/** Records parsed and not yet taken beyond which the parser pauses its input. */
const HIGH_WATER_RECORDS = 2_000;

async function* limited(source: AsyncIterable<Buffer | string>, maxBytes: number, count: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    count.bytes += buf.length;
    if (count.bytes > maxBytes) throw new UploadTooLargeError(`The file is larger than ${maxBytes} bytes.`);
    yield buf;
  }
}

async function* prepend(head: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* head;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

export async function openCsvSource(source: AsyncIterable<Buffer | string>, opts: { maxBytes: number; encoding?: ImportEncoding; delimiter?: Delimiter }): Promise<CsvSource> {
  const count = { bytes: 0 };
  const it = limited(source, opts.maxBytes, count)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let complete = false;
  while (headBytes < SNIFF_BYTES) {
    const next = await it.next();
    if (next.done) {
      complete = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.length;
  }
  const sample = Buffer.concat(head);
  const encoding = opts.encoding ?? detectEncoding(sample, complete);
  const delimiter = opts.delimiter ?? detectDelimiter(iconv.decode(sample, encoding, { stripBOM: true }));
  const raw = Readable.from(prepend(head, it));
  const decoded = raw.pipe(iconv.decodeStream(encoding, { stripBOM: true }));
  return { encoding, delimiter, records: parsedRecords(raw, decoded, delimiter), bytes: () => count.bytes };
}

async function* parsedRecords(raw: Readable, decoded: NodeJS.ReadWriteStream, delimiter: Delimiter): AsyncGenerator<string[][]> {
  const queue: string[][][] = [];
  let waiting = 0;
  let finished = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let handle: Papa.Parser | undefined;
  let paused = false;
  let fed = 0;
  let parsed = 0;
  const signal = () => {
    wake?.();
    wake = undefined;
  };
  const fail = (err: Error) => {
    failure ??= err;
    handle?.abort();
    signal();
  };
  // Errors upstream (the byte limit, a broken connection) must reach the consumer of the records.
  raw.on('error', fail);
  decoded.on('error', fail);
  // Counted before the parser sees a chunk (listeners run in order): what it holds unparsed is fed − cursor.
  decoded.on('data', (chunk: string) => (fed += chunk.length));
  Papa.parse<string[]>(decoded, {
    delimiter,
    skipEmptyLines: true,
    chunk(results, parser) {
      handle = parser;
      const broken = results.errors.find((e) => e.type === 'Quotes');
      if (broken) return fail(new CsvFormatError(`${broken.message} (${broken.code})`, parsed + (broken.row ?? 0) + 1));
      if (fed - results.meta.cursor > MAX_RECORD_CHARS) return fail(new CsvFormatError(`a record is longer than ${MAX_RECORD_CHARS} characters (an unclosed quote?)`, parsed + 1));
      if (results.data.length === 0) return;
      parsed += results.data.length;
      queue.push(results.data);
      waiting += results.data.length;
      if (waiting > HIGH_WATER_RECORDS && !paused) {
        paused = true;
        decoded.pause();
      }
      signal();
    },
    complete() {
      finished = true;
      signal();
    },
    error: fail,
  });
  try {
    for (;;) {
      const next = queue.shift();
      if (next) {
        waiting -= next.length;
        if (paused && waiting <= HIGH_WATER_RECORDS / 2) {
          paused = false;
          decoded.resume();
        }
        yield next;
        continue;
      }
      if (failure) throw failure;
      if (finished) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    // The consumer stopped early (too many rows, a failed COPY) or everything is read: let go of the upload.
    if (!finished) handle?.abort();
    raw.destroy();
  }
}
