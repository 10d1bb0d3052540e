import { parse } from 'csv-parse/sync';
import { bearer } from '../harness/api';
import { seedContact } from '../harness/seed';
import { importCsv, startWorld, type World } from './world';

/** Export → import changes nothing; formula-looking cells are neutralised for spreadsheets. */
let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w?.close());

it('exports RFC 4180 CSV with formulas neutralised, and importing it back changes no contact', async () => {
  const company = await w.tdb.db.insertInto('companies').values({ name: 'Acme, "Intl"', external_ids: '{}' }).returning('id').executeTakeFirstOrThrow();
  const tricky = [
    { email: 'formula@rt.example', firstName: '=HYPERLINK("http://evil.example","x")', lastName: '+SUM(1,2)' },
    { email: '-minus@rt.example', firstName: '@cmd', lastName: '\tTabbed' },
    { email: 'quote@rt.example', firstName: "'=already", lastName: 'Line\nBreak, "quoted"' },
    { email: 'Accent@RT.example', firstName: 'Zoë', lastName: 'Ünal-Ørsted', companyId: company.id, timeZone: 'Europe/Oslo' },
    { email: 'plain@rt.example', firstName: null, lastName: null, status: 'unsubscribed' as const, consent: 'opted_out' as const },
    // A line break alone (no delimiter or quote) must be quoted too, or the row splits in two.
    { email: 'newline@rt.example', firstName: 'Grace', lastName: 'Hop\nper' },
  ];
  for (const t of tricky) await seedContact(w.tdb.db, t);
  await seedContact(w.tdb.db, { email: null, firstName: 'No Email' });
  const before = await w.tdb.db.selectFrom('contacts').selectAll().orderBy('id').execute();

  const res = await w.app.inject({ method: 'GET', url: '/v1/contacts/export.csv', headers: bearer(w.keys.rep) });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/csv');
  expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  expect(res.body).toContain('\r\n');
  const rows = parse(res.rawPayload, { bom: true, columns: true }) as Record<string, string>[];
  expect(rows).toHaveLength(7);
  expect(rows.find((r) => r.email === 'newline@rt.example')).toMatchObject({ firstName: 'Grace', lastName: 'Hop\nper' });
  // Quoted, so readers that end a row at any line break (spreadsheets) read it too.
  expect(res.body).toContain('"Hop\nper"');
  const formula = rows.find((r) => r.email === 'formula@rt.example')!;
  expect(formula.firstName).toBe('\'=HYPERLINK("http://evil.example","x")');
  expect(formula.lastName).toBe("'+SUM(1,2)");
  const minus = rows.find((r) => r.firstName === "'@cmd")!;
  expect(minus).toMatchObject({ email: "'-minus@rt.example", lastName: "'\tTabbed" });
  expect(rows.find((r) => r.email === 'quote@rt.example')).toMatchObject({ firstName: "''=already", lastName: 'Line\nBreak, "quoted"' });
  expect(rows.find((r) => r.email === 'Accent@RT.example')).toMatchObject({ companyName: 'Acme, "Intl"', companyId: company.id });
  // No cell a spreadsheet would run.
  for (const r of rows) for (const v of Object.values(r)) expect(v).not.toMatch(/^[=+\-@\t\r]/);

  const done = await importCsv(w.app, w.keys.admin, res.rawPayload);
  expect(done.progress).toMatchObject({ total: 7, created: 0, updated: 0, unchanged: 6, failed: 1 });
  expect(done.ignoredColumns).toEqual(['id', 'ownerId', 'createdAt', 'updatedAt']);
  const after = await w.tdb.db.selectFrom('contacts').selectAll().orderBy('id').execute();
  expect(after).toEqual(before);
});

it('filters like the list route, and leaves merged tombstones out', async () => {
  const c = await seedContact(w.tdb.db, { email: 'filtered@rt.example', status: 'bounced' });
  const res = await w.app.inject({ method: 'GET', url: '/v1/contacts/export.csv?status=bounced', headers: bearer(w.keys.admin) });
  const rows = parse(res.rawPayload, { bom: true, columns: true }) as Record<string, string>[];
  expect(rows.map((r) => r.id)).toEqual([c]);
  const forbidden = await w.app.inject({ method: 'GET', url: '/v1/contacts/export.csv', headers: bearer(w.keys.operator) });
  expect(forbidden.statusCode).toBe(403);
});
