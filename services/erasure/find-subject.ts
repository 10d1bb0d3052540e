/**
 * The verify step's database search: the subject's addresses in every classified column of every
 * table (case-insensitive, also URL-encoded), and its names as whole words in the rows that belonged to
 * the subject (a name alone is not unique: another contact may share it). Returns where it was found,
 * never the value.
 */
import { sql, type RawBuilder } from 'kysely';
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
    const here = Object.entries(columns).filter(([column]) => present.has(`${table}.${column}`));
    if (here.length === 0) continue;
    // One scan per table: each column's verdict as its own boolean.
    const checks: Array<{ label: string; expr: RawBuilder<boolean> }> = [];
    for (const [column, cls] of here) {
      const col = sql.ref(column);
      if (patterns.length > 0) checks.push({ label: `${table}.${column} (address)`, expr: sql<boolean>`coalesce(bool_or(${col}::text ilike any(${patterns}::text[])), false)` });
      const scope: SubjectScope | null = cls.personal ? cls.scope : null;
      const where = scope ? scopeCondition(scope, { contactIds, addresses: subject.addresses }) : null;
      if (names.length > 0 && where) checks.push({ label: `${table}.${column} (name)`, expr: sql<boolean>`coalesce(bool_or(${where} and ${col}::text ~* any(${names}::text[])), false)` });
    }
    if (checks.length === 0) continue;
    const { rows } = await sql<Record<string, boolean>>`select ${sql.join(checks.map((c, i) => sql`${c.expr} as ${sql.ref(`h${i}`)}`))} from ${sql.table(table)}`.execute(db);
    const row = rows[0] ?? {};
    checks.forEach((c, i) => {
      if (row[`h${i}`]) hits.push(c.label);
    });
  }
  return hits;
}
