/**
 * erase_crm: removes the subject's personal data from every column domain/privacy/personal-columns.ts
 * classifies as personal, in one transaction under the contacts' locks (FOR UPDATE, the send claim's
 * order), then deletes the contact rows, except stubs that hold retained financial references, which
 * keep only their id. Idempotent: run again, it changes nothing.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database';
import type { Tx } from '../../db/lock-order';
import { personalColumns, SUBJECT_LINK_TABLES, type EraseAction, type PersonalColumn, type SubjectScope } from '../../domain/privacy/personal-columns';
import { redactJson } from '../../domain/privacy/redact-json';
import { endLiveEnrollmentsOfContact } from '../contacts/lifecycle';
import { stopLinksOfErasedContacts } from '../sync/erasure-seams';

export interface EraseSubjectInput {
  contactIds: readonly string[];
  addresses: readonly string[];
  /** Contacts that keep a stub (retained references). */
  stubIds: readonly string[];
}

export interface EraseSubjectResult {
  rowsChanged: number;
  rowsDeleted: number;
  contactsDeleted: number;
  stubs: number;
  enrollmentsEnded: string[];
}

/** The SQL condition selecting the subject's rows of a table (identifiers come from the constant classification). */
export function scopeCondition(scope: SubjectScope, s: { contactIds: readonly string[]; addresses: readonly string[] }): RawBuilder<boolean> | null {
  const ids = [...s.contactIds];
  switch (scope.kind) {
    case 'contacts':
      return ids.length ? sql<boolean>`${sql.ref(scope.column)} = any(${ids}::uuid[])` : null;
    case 'enrollments':
      return ids.length ? sql<boolean>`${sql.ref(scope.column)} in (select id from enrollments where contact_id = any(${ids}::uuid[]))` : null;
    case 'addresses':
      return s.addresses.length ? sql<boolean>`${sql.ref(scope.column)} = any(${[...s.addresses]}::text[])` : null;
    case 'contacts_or_addresses': {
      const parts = [
        ...(ids.length ? [sql<boolean>`${sql.ref(scope.idColumn)} = any(${ids}::uuid[])`] : []),
        ...(s.addresses.length ? [sql<boolean>`${sql.ref(scope.addressColumn)} = any(${[...s.addresses]}::text[])`] : []),
      ];
      return parts.length ? sql<boolean>`(${sql.join(parts, sql` or `)})` : null;
    }
    case 'sync_versions': {
      const linked = scopeCondition({ kind: 'contacts_or_addresses', idColumn: 'local_id', addressColumn: 'email_normalized' }, s);
      return linked ? sql<boolean>`(connector_id, object, external_id) in (select connector_id, object, external_id from sync_records where ${linked})` : null;
    }
    case 'merges':
      return ids.length ? sql<boolean>`(primary_id = any(${ids}::uuid[]) or duplicate_ids && ${ids}::uuid[])` : null;
    case 'erasure_request':
      return null; // cleared by the receipt step
  }
}

const scopeKey = (s: SubjectScope) => JSON.stringify(s);

export async function eraseSubject(db: Db, input: EraseSubjectInput): Promise<EraseSubjectResult> {
  return db.transaction().execute(async (tx) => {
    const result: EraseSubjectResult = { rowsChanged: 0, rowsDeleted: 0, contactsDeleted: 0, stubs: 0, enrollmentsEnded: [] };
    const ids = [...input.contactIds].sort();
    // First, before any contact goes: no sync cycle may link the CRM record to a new contact.
    result.rowsChanged += await stopLinksOfErasedContacts(tx, ids);
    // Lock order of the send claim; ends anything still live (stop_sequences did; this makes it certain).
    for (const id of ids) result.enrollmentsEnded.push(...(await endLiveEnrollmentsOfContact(tx, id, 'ERASED')));

    const byTable = new Map<string, PersonalColumn[]>();
    for (const c of personalColumns()) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c]);
    for (const [table, columns] of byTable) {
      // Deletions first: a row that goes needs no column cleared.
      for (const scope of uniqueScopes(columns.filter((c) => c.erase === 'delete_row'))) {
        const where = scopeCondition(scope, { contactIds: ids, addresses: input.addresses });
        if (!where) continue;
        const res = await sql`delete from ${sql.table(table)} where ${where}`.execute(tx);
        result.rowsDeleted += Number(res.numAffectedRows ?? 0);
      }
      for (const scope of uniqueScopes(columns.filter((c) => c.erase !== 'delete_row'))) {
        const where = scopeCondition(scope, { contactIds: ids, addresses: input.addresses });
        if (!where) continue;
        const here = columns.filter((c) => c.erase !== 'delete_row' && scopeKey(c.scope) === scopeKey(scope));
        const simple = here.flatMap((c) => (c.erase === 'redact_json' || c.erase === 'delete_row' ? [] : [{ column: c.column, erase: c.erase }]));
        if (simple.length > 0) {
          const sets = sql.join(simple.map((c) => sql`${sql.ref(c.column)} = ${valueFor(c.erase)}`));
          const changed = sql.join(simple.map((c) => sql`${sql.ref(c.column)} is distinct from ${valueFor(c.erase)}`), sql` or `);
          const res = await sql`update ${sql.table(table)} set ${sets} where ${where} and (${changed})`.execute(tx);
          result.rowsChanged += Number(res.numAffectedRows ?? 0);
        }
        for (const c of here.filter((x) => x.erase === 'redact_json')) result.rowsChanged += await redactColumn(tx, table, c.column, where);
      }
    }

    for (const link of SUBJECT_LINK_TABLES) {
      if (ids.length === 0) break;
      const where = sql.join(link.columns.map((col) => sql`${sql.ref(col)} = any(${ids}::uuid[])`), sql` or `);
      const res = await sql`delete from ${sql.table(link.table)} where ${where}`.execute(tx);
      result.rowsDeleted += Number(res.numAffectedRows ?? 0);
    }

    const stubs = ids.filter((id) => input.stubIds.includes(id));
    const gone = ids.filter((id) => !input.stubIds.includes(id));
    if (stubs.length > 0) {
      // The stub keeps its id (the retained references point at it) and nothing that describes a person.
      await tx.updateTable('contacts').set({ status: 'inactive', consent: 'unknown', company_id: null, owner_id: null, updated_at: new Date() }).where('id', 'in', stubs).execute();
      result.stubs = stubs.length;
    }
    if (gone.length > 0) {
      const deleted = await tx.deleteFrom('contacts').where('id', 'in', gone).returning('id').execute();
      result.contactsDeleted = deleted.length;
    }
    return result;
  });
}

function uniqueScopes(columns: PersonalColumn[]): SubjectScope[] {
  const seen = new Map<string, SubjectScope>();
  for (const c of columns) seen.set(scopeKey(c.scope), c.scope);
  return [...seen.values()];
}

function valueFor(action: Exclude<EraseAction, 'delete_row' | 'redact_json'>): RawBuilder<unknown> {
  switch (action) {
    case 'null':
      return sql`null`;
    case 'empty_object':
      return sql`'{}'::jsonb`;
    case 'empty_array':
      return sql`'[]'::jsonb`;
  }
}

/** JSON columns: keep ids, numbers, instants and codes (the facts), drop every other string. */
async function redactColumn(tx: Tx, table: string, column: string, where: RawBuilder<boolean>): Promise<number> {
  const rows = await sql<{ ref: string; value: unknown }>`select ctid::text as ref, ${sql.ref(column)} as value from ${sql.table(table)} where ${where} for update`.execute(tx);
  const changed = rows.rows.flatMap((r) => {
    const redacted = redactJson(r.value);
    return JSON.stringify(redacted) === JSON.stringify(r.value) ? [] : [{ ref: r.ref, value: JSON.stringify(redacted ?? {}) }];
  });
  if (changed.length === 0) return 0;
  await sql`update ${sql.table(table)} as t set ${sql.ref(column)} = v.value::jsonb from unnest(${changed.map((c) => c.ref)}::text[], ${changed.map((c) => c.value)}::text[]) as v(ref, value) where t.ctid = v.ref::tid`.execute(tx);
  return changed.length;
}
