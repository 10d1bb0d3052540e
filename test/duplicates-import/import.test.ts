import iconv from 'iconv-lite';
import { erasureHash } from '../../domain/privacy/erasure-hash';
import { importContract } from '../../workflows/import/contract';
import { bearer, callJson } from '../harness/api';
import { recordHistory } from '../harness/histories';
import { seedContact } from '../harness/seed';
import { finishedImport, importCsv, importErrors, startWorld, uploadCsv, type World } from './world';

/** CSV import: email as the unique key, each reason code per row and field, formats, options, cancel. */
let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w?.close());

const contactsByEmail = (email: string) => w.tdb.db.selectFrom('contacts').selectAll().where('email_normalized', '=', email).execute();

it('acceptance: 5 rows — invalid address, two sharing one, one existing — 2 created, 1 updated, IMPORT_DUPLICATE_EMAIL and INVALID_EMAIL', async () => {
  const existing = await seedContact(w.tdb.db, { email: 'grace@acme.example', firstName: 'Grace', lastName: 'H' });
  const csv = ['email,first name,last name', 'not-an-address,Bad,Row', 'ann@acme.example,Ann,First', 'ANN@acme.example,Ann,Second', 'grace@acme.example,Grace,Hopper', 'linus@acme.example,Linus,T'].join('\n');
  const done = await importCsv(w.app, w.keys.admin, csv);
  expect(done).toMatchObject({ status: 'completed', mapping: { email: 'email', firstName: 'first name', lastName: 'last name' } });
  expect(done.progress).toMatchObject({ total: 5, processed: 5, created: 2, updated: 1, unchanged: 0, skipped: 0, failed: 2 });
  await recordHistory('import-small', w.temporalClient.workflow.getHandle(importContract.id(done.id)));
  const errors = await importErrors(w.app, w.keys.operator, done.id);
  expect(errors).toEqual([
    { row: 2, field: 'email', code: 'INVALID_EMAIL', message: expect.any(String), otherRow: null },
    { row: 4, field: 'email', code: 'IMPORT_DUPLICATE_EMAIL', message: expect.stringContaining('row 3'), otherRow: 3 },
  ]);
  expect((await contactsByEmail('ann@acme.example')).map((c) => c.last_name)).toEqual(['First']);
  expect((await contactsByEmail('grace@acme.example'))).toEqual([expect.objectContaining({ id: existing, last_name: 'Hopper', first_name: 'Grace' })]);
  expect(await contactsByEmail('linus@acme.example')).toHaveLength(1);
  const log = await w.tdb.db.selectFrom('activities').select(['type', 'data']).where('contact_id', '=', existing).where('type', '=', 'contact_updated').execute();
  expect(log).toEqual([{ type: 'contact_updated', data: { importId: done.id, row: 5, fields: ['lastName'] } }]);
});

it('reports every other code per row and field: missing email, time zone, consent, unknown company, erased, several matches, not the owner', async () => {
  const company = await w.tdb.db.insertInto('companies').values({ name: 'Known Co', external_ids: '{}' }).returning('id').executeTakeFirstOrThrow();
  await w.tdb.db.insertInto('companies').values([{ name: 'Twin', external_ids: '{}' }, { name: 'twin', external_ids: '{}' }]).execute();
  await seedContact(w.tdb.db, { email: 'dup@codes.example' });
  await seedContact(w.tdb.db, { email: 'DUP@codes.example' });
  await seedContact(w.tdb.db, { email: 'owned@codes.example', ownerId: w.keys.userIds.admin });
  await w.tdb.db.insertInto('suppressions').values({ address_hash: erasureHash(w.config.ERASURE_HASH_SECRET!, 'Gone@Codes.example'), reason: 'erased', created_by: 'workflow:erasure-x' }).execute();
  const csv = [
    'Email;Given name;Surname;Company;Company ID;Time zone;Consent',
    ';No;Email;;;;',
    'tz@codes.example;T;Z;;;Mars/Olympus;',
    'consent@codes.example;C;O;;;;maybe',
    'unknown@codes.example;U;C;Nowhere Ltd;;;',
    'badid@codes.example;B;I;;not-a-uuid;;',
    `missing@codes.example;M;I;;${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)};;`,
    'twin@codes.example;T;W;Twin;;;',
    'gone@codes.example;G;O;;;;',
    'dup@codes.example;D;U;;;;',
    'owned@codes.example;O;W;;;;opted_in',
    `ok@codes.example;O;K;Known Co;;Europe/Berlin;OPTED_IN`,
    `ok2@codes.example;O;K;;${company.id};;opted-out`,
  ].join('\r\n');
  const done = await importCsv(w.app, w.keys.rep, csv);
  expect(done).toMatchObject({ status: 'completed', delimiter: ';', progress: { total: 12, created: 2, failed: 10 } });
  const errors = (await importErrors(w.app, w.keys.rep, done.id)).map((e: { row: number; field: string; code: string }) => [e.row, e.field, e.code]);
  expect(errors).toEqual([
    [2, 'email', 'IMPORT_MISSING_EMAIL'],
    [3, 'timeZone', 'INVALID_TIME_ZONE'],
    [4, 'consent', 'IMPORT_INVALID_VALUE'],
    [5, 'companyName', 'UNKNOWN_COMPANY'],
    [6, 'companyId', 'UNKNOWN_COMPANY'],
    [7, 'companyId', 'UNKNOWN_COMPANY'],
    [8, 'companyName', 'UNKNOWN_COMPANY'],
    [9, 'email', 'ERASED'],
    [10, 'email', 'IMPORT_MULTIPLE_MATCHES'],
    [11, null, 'IMPORT_NOT_OWNER'],
  ]);
  const [ok] = await contactsByEmail('ok@codes.example');
  expect(ok).toMatchObject({ company_id: company.id, time_zone: 'Europe/Berlin', consent: 'opted_in', owner_id: w.keys.userIds.rep });
  expect((await contactsByEmail('ok2@codes.example'))[0]).toMatchObject({ company_id: company.id, consent: 'opted_out' });
  // The erased address is nowhere in clear text.
  expect(JSON.stringify(await w.tdb.db.selectFrom('import_errors').selectAll().execute())).not.toContain('gone@');
});

it('skips existing contacts with onExisting=skip, and a dry run writes no contact but reports what it would do', async () => {
  await seedContact(w.tdb.db, { email: 'keep@opts.example', firstName: 'Keep' });
  const csv = 'email,firstName\nkeep@opts.example,Changed\nnew@opts.example,New\n';
  const skipped = await importCsv(w.app, w.keys.admin, csv, { onExisting: 'skip', dryRun: 'true' });
  expect(skipped).toMatchObject({ dryRun: true, onExisting: 'skip', progress: { created: 1, skipped: 1, updated: 0 } });
  expect(await contactsByEmail('new@opts.example')).toHaveLength(0);
  const real = await importCsv(w.app, w.keys.admin, csv, { onExisting: 'skip' });
  expect(real.progress).toMatchObject({ created: 1, skipped: 1 });
  expect((await contactsByEmail('keep@opts.example'))[0]!.first_name).toBe('Keep');
  expect(await contactsByEmail('new@opts.example')).toHaveLength(1);
  // The staged copy of the file is gone once the import finished.
  expect(await w.tdb.db.selectFrom('import_rows').select('row_no').where('import_id', '=', real.id).execute()).toEqual([]);
});

it('reads Windows-1252 with tabs, a UTF-8 BOM, quoted fields with delimiters and line breaks; mapping overrides by header', async () => {
  const latin = iconv.encode('Mail\tVorname\tNachname\r\nrene@fmt.example\tRené\t"Müller\tSchmidt"\r\n', 'windows-1252');
  const a = await importCsv(w.app, w.keys.admin, latin);
  expect(a).toMatchObject({ encoding: 'windows-1252', delimiter: 'tab', progress: { created: 1 } });
  expect((await contactsByEmail('rene@fmt.example'))[0]).toMatchObject({ first_name: 'René', last_name: 'Müller\tSchmidt' });

  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Contact address,Notes,Given\n"zoë@fmt.example","a, ""quoted""\nnote",Zoë\n', 'utf8')]);
  const b = await importCsv(w.app, w.keys.admin, bom, { mapping: JSON.stringify({ email: 'Contact address', firstName: 'Given' }) });
  expect(b).toMatchObject({ encoding: 'utf-8', delimiter: ',', mapping: { email: 'Contact address', firstName: 'Given' }, ignoredColumns: ['Notes'], progress: { created: 1 } });
  expect((await contactsByEmail('zoë@fmt.example'))[0]!.first_name).toBe('Zoë');
});

it('refuses a file without an email column, a mapping naming a missing header, broken CSV and too many rows (400, nothing staged)', async () => {
  const noEmail = await uploadCsv(w.app, w.keys.admin, 'name,phone\nAda,1\n');
  expect(noEmail.statusCode).toBe(400);
  expect(noEmail.json().error).toMatchObject({ code: 'IMPORT_NO_EMAIL_COLUMN', details: [{ path: 'mapping.email' }] });
  const badMapping = await uploadCsv(w.app, w.keys.admin, 'email\na@b.example\n', { mapping: JSON.stringify({ lastName: 'Surname' }) });
  expect(badMapping.json().error.details).toEqual([{ path: 'mapping.lastName', problem: 'the file has no column "Surname"' }]);
  const badOption = await uploadCsv(w.app, w.keys.admin, 'email\na@b.example\n', { onExisting: 'merge' });
  expect(badOption.json().error.details[0].path).toBe('querystring.onExisting');
  const broken = await uploadCsv(w.app, w.keys.admin, 'email,first\n"a@b.example,unclosed\n');
  expect(broken.statusCode).toBe(400);
  expect(broken.json().error.details[0].problem).toMatch(/not valid CSV/);
  const wrongType = await w.app.inject({ method: 'POST', url: '/v1/imports', headers: { ...bearer(w.keys.admin), 'content-type': 'application/json' }, payload: { email: 'x' } });
  expect(wrongType.statusCode).toBe(415);

  const { createTestApp } = await import('../harness/api');
  const { testConfig } = await import('../harness/config');
  const small = await createTestApp({ db: w.tdb.db, temporal: w.temporalClient, config: testConfig({ TEMPORAL_TASK_QUEUE: w.taskQueue, IMPORT_MAX_ROWS: '2', IMPORT_MAX_BYTES: '2048' }) });
  try {
    const rows = await uploadCsv(small, w.keys.admin, 'email\na@x.example\nb@x.example\nc@x.example\n');
    expect(rows.statusCode).toBe(400);
    expect(rows.json().error.code).toBe('IMPORT_TOO_LARGE');
    const bytes = await uploadCsv(small, w.keys.admin, `email\n${'a'.repeat(3000)}@x.example\n`);
    expect(bytes.json().error.code).toBe('IMPORT_TOO_LARGE');
  } finally {
    await small.close();
  }
  const failed = await w.tdb.db.selectFrom('imports').select(['status', 'code']).where('status', '=', 'failed').execute();
  expect(failed.map((f) => f.code).sort()).toEqual(['IMPORT_NO_EMAIL_COLUMN', 'IMPORT_TOO_LARGE', 'IMPORT_TOO_LARGE', 'VALIDATION_FAILED', 'VALIDATION_FAILED']);
  expect(await w.tdb.db.selectFrom('import_rows').select('row_no').execute()).toEqual([]);
});

it('accepts multipart/form-data with option fields before the file; errors come as CSV too', async () => {
  const boundary = 'xBOUNDARYx';
  const body = [
    `--${boundary}`, 'Content-Disposition: form-data; name="onExisting"', '', 'skip',
    `--${boundary}`, 'Content-Disposition: form-data; name="file"; filename="contacts.csv"', 'Content-Type: text/csv', '', 'email\nmp@form.example\nbroken\n',
    `--${boundary}--`, '',
  ].join('\r\n');
  const res = await w.app.inject({ method: 'POST', url: '/v1/imports', headers: { ...bearer(w.keys.rep), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body });
  expect(res.statusCode).toBe(202);
  const done = await finishedImport(w.app, w.keys.rep, res.json().id);
  expect(done).toMatchObject({ onExisting: 'skip', progress: { created: 1, failed: 1 } });
  const csv = await w.app.inject({ method: 'GET', url: `/v1/imports/${done.id}/errors.csv`, headers: bearer(w.keys.operator) });
  expect(csv.headers['content-type']).toContain('text/csv');
  expect(csv.body.split('\r\n')[0]).toBe('row,field,code,message,otherRow');
  expect(csv.body).toContain('3,email,INVALID_EMAIL,');
});

it('pages the errors in row order, and an operator reads the status but cannot upload', async () => {
  const lines = ['email', ...Array.from({ length: 7 }, (_, i) => `bad-${i}`)];
  const done = await importCsv(w.app, w.keys.admin, lines.join('\n'));
  const first = await callJson(w.app, w.keys.operator, 'GET', `/v1/imports/${done.id}/errors?limit=3`, undefined, 200);
  const second = await callJson(w.app, w.keys.operator, 'GET', `/v1/imports/${done.id}/errors?limit=3&cursor=${first.nextCursor}`, undefined, 200);
  expect([...first.items, ...second.items].map((e: { row: number }) => e.row)).toEqual([2, 3, 4, 5, 6, 7]);
  expect((await uploadCsv(w.app, w.keys.operator, 'email\na@b.example\n')).statusCode).toBe(403);
  expect(done.progress.rowsPerSecond).toBeGreaterThan(0);
  expect(done.progress.etaSeconds).toBe(0);
});

it('cancels a queued import before any batch: nothing applied, status cancelled', async () => {
  await w.stopWorker();
  try {
    const res = await uploadCsv(w.app, w.keys.admin, 'email\ncancel-1@x.example\ncancel-2@x.example\n');
    expect(res.json()).toMatchObject({ status: 'queued', progress: { total: 2 } });
    const cancelling = await callJson(w.app, w.keys.admin, 'POST', `/v1/imports/${res.json().id}/cancel`, undefined, 202);
    expect(cancelling.status).toBe('cancelling');
    await w.startWorker();
    const done = await finishedImport(w.app, w.keys.admin, res.json().id);
    expect(done).toMatchObject({ status: 'cancelled', progress: { processed: 0, created: 0 } });
    expect(await contactsByEmail('cancel-1@x.example')).toEqual([]);
    const again = await w.app.inject({ method: 'POST', url: `/v1/imports/${done.id}/cancel`, headers: bearer(w.keys.admin) });
    expect(again.json().error.code).toBe('IMPORT_FINISHED');
  } finally {
    if (!w.worker) await w.startWorker();
  }
});
