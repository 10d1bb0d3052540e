/**
 * Every text / varchar / jsonb / inet / text[] column of every table, after all migrations, is
 * classified in domain/privacy/personal-columns.ts (personal with how to erase it, or not personal with
 * why). A migration that adds such a column without classifying it fails here, naming it.
 */
import { sql } from 'kysely';
import { classifiedColumns, PERSONAL_COLUMNS } from '../../domain/privacy/personal-columns';
import { createTestDatabase, type TestDatabase } from '../harness/database';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(() => tdb.drop());

async function textColumns(): Promise<string[]> {
  const { rows } = await sql<{ t: string; c: string }>`
    select c.table_name as t, c.column_name as c
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = 'public'
      and (c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'inet', 'cidr', 'citext')
           or (c.data_type = 'ARRAY' and c.udt_name in ('_text', '_varchar', '_bpchar', '_jsonb', '_json', '_inet')))
    order by 1, 2`.execute(tdb.db);
  return rows.map((r) => `${r.t}.${r.c}`);
}

it('classifies every text, jsonb, inet and text-array column of every table', async () => {
  const columns = await textColumns();
  expect(columns.length).toBeGreaterThan(100);
  const classified = new Set(classifiedColumns().map((c) => `${c.table}.${c.column}`));
  expect(columns.filter((c) => !classified.has(c))).toEqual([]);
});

it('lists no column that does not exist (a renamed column must be re-classified)', async () => {
  const columns = new Set(await textColumns());
  expect(classifiedColumns().map((c) => `${c.table}.${c.column}`).filter((c) => !columns.has(c))).toEqual([]);
});

it('says how to erase each personal column and why each other one is not personal', () => {
  for (const [table, cols] of Object.entries(PERSONAL_COLUMNS)) {
    for (const [column, c] of Object.entries(cols)) {
      if (c.personal) expect({ column: `${table}.${column}`, ok: c.what.length > 3 && ['null', 'redact_json', 'empty_object', 'empty_array', 'delete_row'].includes(c.erase) }).toEqual({ column: `${table}.${column}`, ok: true });
      else expect({ column: `${table}.${column}`, why: c.why.length > 3 }).toEqual({ column: `${table}.${column}`, why: true });
    }
  }
  // The columns that hold a person's data are among them.
  const personal = classifiedColumns().filter((c) => c.personal).map((c) => `${c.table}.${c.column}`);
  expect(personal).toEqual(expect.arrayContaining(['contacts.email', 'contacts.first_name', 'contacts.last_name', 'contacts.time_zone', 'activities.data', 'email_sends.links', 'suppressions.address_normalized', 'contact_merges.snapshot', 'import_rows.email']));
});

it('fails on a column a migration adds without classifying it', async () => {
  await sql`alter table contacts add column nickname text`.execute(tdb.db);
  try {
    const classified = new Set(classifiedColumns().map((c) => `${c.table}.${c.column}`));
    expect((await textColumns()).filter((c) => !classified.has(c))).toEqual(['contacts.nickname']);
  } finally {
    await sql`alter table contacts drop column nickname`.execute(tdb.db);
  }
});
