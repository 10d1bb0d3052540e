/**
 * A CSV import after a company merge: the company's name finds the primary (before the merge the two
 * same-named companies made the name ambiguous), and a tombstone's id is not a company to import into.
 */
import { callJson } from '../harness/api';
import { importCsv, importErrors, startWorld, type Json, type World } from '../duplicates-import/world';

jest.setTimeout(120_000);

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w?.close());

const contactByEmail = (email: string) => w.tdb.db.selectFrom('contacts').select(['company_id']).where('email_normalized', '=', email).executeTakeFirst();

it('rows naming the merged company land in the primary; a tombstone id is UNKNOWN_COMPANY', async () => {
  const primary: Json = await callJson(w.app, w.keys.admin, 'POST', '/v1/companies', { name: 'Twin Merge', domains: ['twin.example'] }, 201);
  const dup: Json = await callJson(w.app, w.keys.admin, 'POST', '/v1/companies', { name: 'twin merge', domains: ['twin-eu.example'] }, 201);

  const before = await importCsv(w.app, w.keys.admin, ['email,company', 'early@twin.example,Twin Merge'].join('\n'));
  expect((await importErrors(w.app, w.keys.admin, before.id)).map((e: Json) => [e.field, e.code])).toEqual([['companyName', 'UNKNOWN_COMPANY']]);

  await callJson(w.app, w.keys.admin, 'POST', `/v1/companies/${primary.id}/merge`, { duplicateIds: [dup.id] }, 200);
  const after = await importCsv(w.app, w.keys.admin, ['email,company,company id', 'late@twin.example,Twin Merge,', `byid@twin.example,,${dup.id}`].join('\n'));
  expect(after.progress).toMatchObject({ total: 2, created: 1, failed: 1 });
  expect(await contactByEmail('late@twin.example')).toEqual({ company_id: primary.id });
  expect((await importErrors(w.app, w.keys.admin, after.id)).map((e: Json) => [e.row, e.field, e.code])).toEqual([[3, 'companyId', 'UNKNOWN_COMPANY']]);
  expect(await contactByEmail('byid@twin.example')).toBeUndefined();
});
