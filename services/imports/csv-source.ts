/**
 * An uploaded CSV as records, streamed: the bytes are counted (IMPORT_MAX_BYTES), the first 64 KiB
 * decide the encoding and the delimiter (domain/imports/sniff.ts), iconv-lite decodes, csv-parse splits
 * (quotes, embedded newlines, BOM). Nothing holds more than a chunk and one record at a time.
 */
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { Readable } from 'node:stream';
import { detectDelimiter, detectEncoding, SNIFF_BYTES, type Delimiter } from '../../domain/imports/sniff';
import type { ImportEncoding } from '../../domain/imports/vocabulary';

/** The upload is over the byte limit. */
export class UploadTooLargeError extends Error {
  override readonly name = 'UploadTooLargeError';
}

/** The bytes are not CSV the parser can read (an unclosed quote, …); `line` is where it gave up. */
export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
  }
}

export interface CsvSource {
  encoding: ImportEncoding;
  delimiter: Delimiter;
  records: AsyncIterable<string[]>;
  /** Bytes read so far. */
  bytes(): number;
}

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
  const parser = parse({ delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 1_000_000 });
  const raw = Readable.from(prepend(head, it));
  const decoded = raw.pipe(iconv.decodeStream(encoding, { stripBOM: true }));
  // Errors upstream (the byte limit, a broken connection) must reach the consumer of the records.
  const forwarded = (err: Error) => parser.destroy(err);
  raw.on('error', forwarded);
  decoded.on('error', forwarded);
  decoded.pipe(parser);

  async function* records(): AsyncGenerator<string[]> {
    try {
      for await (const record of parser as AsyncIterable<string[]>) yield record;
    } catch (err) {
      const e = err as Error & { code?: string; lines?: number };
      if (e instanceof UploadTooLargeError) throw e;
      if (typeof e.code === 'string' && e.code.startsWith('CSV_')) throw new CsvFormatError(e.message, e.lines);
      throw err;
    }
  }
  return { encoding, delimiter, records: records(), bytes: () => count.bytes };
}
