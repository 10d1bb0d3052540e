/**
 * The verify step's database search: the subject's addresses in every classified column of every
 * table (case-insensitive, also URL-encoded), and its names as whole words in the rows that belonged to
 * the subject (a name alone is not unique: another contact may share it). Returns where it was found,
 * never the value.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { PERSONAL_COLUMNS, type SubjectScope } from '../../domain/privacy/personal-columns';
import type { ErasureSubject } from './subject';
import { scopeCondition } from './erase-subject';

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function findSubjectInDatabase(db: Db, subject: ErasureSubject, contactIds: readonly string[]): Promise<string[]> {
  const patterns = [...new Set(subject.addresses.flatMap((a) => [a, encodeURIComponent(a)]))].map((a) => `%${likeEscape(a)}%`);
  const names = subject.names.filter((n) => n.trim().length >= 2).map((n) => `\\m${regexEscape(n.trim())}\\M`);
  const existing = await db.selectFrom(sql`information_schema.columns`.as('c')).select([sql<string>`table_name`.as('t'), sql<string>`column_name`.as('c')]).where(sql<boolean>`table_schema = 'public'`).execute();
  const present = new Set(existing.map((r) => `${r.t}.${r.c}`));
  const hits: string[] = [];
  for (const [table, columns] of Object.entries(PERSONAL_COLUMNS)) {
    for (const [column, cls] of Object.entries(columns)) {
      if (!present.has(`${table}.${column}`)) continue;
      const col = sql.ref(column);
      if (patterns.length > 0) {
        const found = await sql<{ n: number }>`select 1 as n from ${sql.table(table)} where ${col}::text ilike any(${patterns}::text[]) limit 1`.execute(db);
        if (found.rows.length > 0) hits.push(`${table}.${column} (address)`);
      }
      const scope: SubjectScope | null = cls.personal ? cls.scope : null;
      const where = scope ? scopeCondition(scope, { contactIds, addresses: subject.addresses }) : null;
      if (names.length > 0 && where) {
        const found = await sql<{ n: number }>`select 1 as n from ${sql.table(table)} where ${where} and ${col}::text ~* any(${names}::text[]) limit 1`.execute(db);
        if (found.rows.length > 0) hits.push(`${table}.${column} (name)`);
      }
    }
  }
  return hits;
}
