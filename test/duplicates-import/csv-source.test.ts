/**
 * The upload parser (services/imports/csv-source.ts): records in chunks, quotes and embedded newlines,
 * broken quoting refused with the row it is near, a runaway record refused before it fills memory,
 * and an upload read only as fast as its records are taken.
 */
import { CsvFormatError, openCsvSource } from '../../services/imports/csv-source';

async function* chunked(text: string, size = 4096): AsyncGenerator<Buffer> {
  for (let i = 0; i < text.length; i += size) yield Buffer.from(text.slice(i, i + size));
}

async function allRecords(text: string): Promise<string[][]> {
  const source = await openCsvSource(chunked(text), { maxBytes: 1e9 });
  const out: string[][] = [];
  for await (const chunk of source.records) out.push(...chunk);
  return out;
}

const failureOf = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);

it('reads quoted fields with delimiters, doubled quotes and line breaks across chunk boundaries, and skips empty lines', async () => {
  const long = 'x'.repeat(10_000);
  const records = await allRecords(`email,notes\n\na@q.example,"one, ""two""\nthree"\nb@q.example,"${long}"\n`);
  expect(records).toEqual([
    ['email', 'notes'],
    ['a@q.example', 'one, "two"\nthree'],
    ['b@q.example', long],
  ]);
});

it('refuses broken quoting with the row it is near (the header is row 1)', async () => {
  const err = await failureOf(allRecords('email,first\nok@q.example,Ada\n"a@b.example,unclosed\n'));
  expect(err).toBeInstanceOf(CsvFormatError);
  expect(err).toMatchObject({ row: 3 });
  expect((err as Error).message).toMatch(/unterminated/i);
});

it('refuses a record longer than a million characters before reading the rest of the upload', async () => {
  const source = await openCsvSource(
    (async function* () {
      yield Buffer.from('email,notes\na@q.example,"never closed ');
      // 64 MB more would follow; the parser gives up after about one.
      for (let i = 0; i < 1024; i++) yield Buffer.alloc(64 * 1024, 'y');
    })(),
    { maxBytes: 1e9 },
  );
  const err = await failureOf((async () => {
    for await (const chunk of source.records) void chunk;
  })());
  expect(err).toBeInstanceOf(CsvFormatError);
  expect((err as Error).message).toMatch(/longer than 1000000 characters/);
  expect(source.bytes()).toBeLessThan(4 * 1024 * 1024);
});

it('reads the upload only as fast as its records are taken', async () => {
  const row = 'someone@q.example,First,Last\n';
  let pulled = 0;
  const total = 4_000;
  const source = await openCsvSource(
    (async function* () {
      yield Buffer.from('email,first,last\n');
      // 4,000 chunks of 100 records: 400,000 records, 11 MB.
      for (; pulled < total; pulled++) yield Buffer.from(row.repeat(100));
    })(),
    { maxBytes: 1e9 },
  );
  const records = source.records[Symbol.asyncIterator]();
  const first = (await records.next()).value as string[][];
  expect(first[0]).toEqual(['email', 'first', 'last']);
  // Nobody takes records now: the parser pauses once ~20,000 wait, so the upload stops being read.
  let last = -1;
  for (let still = 0; still < 50; ) {
    await new Promise((r) => setImmediate(r));
    still = pulled === last ? still + 1 : 0;
    last = pulled;
  }
  expect(pulled).toBeLessThan(total / 4);
  // Taking them resumes it, to the end.
  let count = first.length - 1;
  for (let next = await records.next(); !next.done; next = await records.next()) count += next.value.length;
  expect(pulled).toBe(total);
  expect(count).toBe(total * 100);
});
