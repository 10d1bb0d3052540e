/**
 * The `import-<id>` workflow's work, one batch per transaction: validate the next staged rows (the row
 * rules, then company, erased address, existing contact, ownership, in-file duplicate), write the
 * contacts, the activity log, the per-row errors and the counters, and move the import's cursor — all
 * in one commit. A batch retried after a crash finds the cursor past its rows: no row is applied twice.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import type { Tx } from '../../db/lock-order';
import type { ImportRow, StagedImportRow } from '../../db/schema-duplicates-import';
import type { RoleName } from '../../domain/permissions';
import { ERASED_ADDRESS_MESSAGE, erasedAddresses } from '../erasure/erased-subject';
import { checkRow, type RowProblem } from '../../domain/imports/row-rules';
import { mayWriteContact } from '../contacts/ownership';

export type BatchState = 'more' | 'done' | 'cancelled' | 'failed';

export interface BatchOutcome {
  state: BatchState;
  appliedThrough: number;
  processed: number;
}

/** Import batches of every import run one at a time: two files with one new address cannot both create it. */
const IMPORT_APPLY_LOCK = 0x1_2_0_0_1;

interface ErrorEntry {
  row_no: number;
  field: string | null;
  code: string;
  message: string;
  other_row: number | null;
}

interface ContactValues {
  row_no: number;
  email: string | null;
  email_normalized: string | null;
  first_name: string | null;
  last_name: string | null;
  company_id: string | null;
  time_zone: string | null;
  consent: string | null;
  status: string | null;
  owner_id: string | null;
}

interface UpdateValues extends ContactValues {
  id: string;
  fields: string[];
}

interface ExistingContact {
  id: string;
  email: string | null;
  email_normalized: string | null;
  first_name: string | null;
  last_name: string | null;
  company_id: string | null;
  time_zone: string | null;
  consent: string;
  status: string;
  owner_id: string | null;
}

/**
 * Marks rows whose address an earlier row of the file has (IMPORT_DUPLICATE_EMAIL) and starts the
 * import. Idempotent: the marks are a pure function of the staged rows.
 */
export async function prepareImport(db: Db, importId: string): Promise<ImportRow['status'] | 'missing'> {
  return db.transaction().execute(async (tx) => {
    const imp = await tx.selectFrom('imports').select(['status']).where('id', '=', importId).forUpdate().executeTakeFirst();
    if (!imp) return 'missing';
    if (imp.status !== 'queued') return imp.status;
    await sql`
      update import_rows r set duplicate_of = d.first_row
      from (select row_no, min(row_no) over (partition by email_normalized) as first_row
            from import_rows where import_id = ${importId} and email_normalized is not null) d
      where r.import_id = ${importId} and r.row_no = d.row_no and d.first_row < d.row_no`.execute(tx);
    await tx.updateTable('imports').set({ status: 'running', started_at: new Date(), updated_at: new Date() }).where('id', '=', importId).execute();
    return 'running';
  });
}

const problemOf = (row: number, p: RowProblem): ErrorEntry => ({ row_no: row, field: p.field, code: p.code, message: p.message, other_row: null });

export async function applyNextBatch(db: Db, importId: string, opts: { batchSize: number; erasureSecret: string; actor: string }): Promise<BatchOutcome> {
  return db.transaction().execute(async (tx): Promise<BatchOutcome> => {
    const imp = await tx.selectFrom('imports').selectAll().where('id', '=', importId).forUpdate().executeTakeFirst();
    if (!imp) return { state: 'failed', appliedThrough: 0, processed: 0 };
    const at = (state: BatchState, row = imp): BatchOutcome => ({ state, appliedThrough: row.applied_through, processed: row.processed });
    if (imp.status === 'completed') return at('done');
    if (imp.status === 'cancelled') return at('cancelled');
    if (imp.status === 'failed') return at('failed');
    if (imp.status === 'cancelling') {
      await tx.updateTable('imports').set({ status: 'cancelled', finished_at: new Date(), updated_at: new Date() }).where('id', '=', importId).execute();
      return at('cancelled');
    }
    await sql`select pg_advisory_xact_lock(${IMPORT_APPLY_LOCK})`.execute(tx);

    const rows = await tx.selectFrom('import_rows').selectAll().where('import_id', '=', importId).where('row_no', '>', imp.applied_through).orderBy('row_no').limit(opts.batchSize).execute();
    if (rows.length === 0) {
      if (imp.processed < imp.total_rows) {
        const message = 'The staged rows of this import were lost (database restart); upload the file again.';
        await tx.updateTable('imports').set({ status: 'failed', code: 'IMPORT_STAGING_LOST', message, finished_at: new Date(), updated_at: new Date() }).where('id', '=', importId).execute();
        return at('failed');
      }
      await tx.updateTable('imports').set({ status: 'completed', finished_at: new Date(), updated_at: new Date() }).where('id', '=', importId).execute();
      await tx.deleteFrom('import_rows').where('import_id', '=', importId).execute();
      return at('done');
    }

    const decided = await decide(tx, imp, rows, opts.erasureSecret);
    if (!imp.dry_run) await write(tx, importId, decided, opts.actor);
    if (decided.errors.length > 0) {
      await sql`
        insert into import_errors (import_id, row_no, field, code, message, other_row)
        select ${importId}::uuid, row_no, field, code, message, other_row
        from jsonb_to_recordset(${JSON.stringify(decided.errors)}::jsonb) as x(row_no int, field text, code text, message text, other_row int)
        order by row_no`.execute(tx);
    }
    const last = rows[rows.length - 1]!.row_no;
    const finished = rows.length < opts.batchSize || last - 1 >= imp.total_rows;
    const updated = await tx
      .updateTable('imports')
      .set((eb) => ({
        applied_through: last,
        processed: eb('processed', '+', rows.length),
        created: eb('created', '+', decided.creates.length),
        updated: eb('updated', '+', decided.updates.length),
        unchanged: eb('unchanged', '+', decided.unchanged),
        skipped: eb('skipped', '+', decided.skipped),
        failed: eb('failed', '+', decided.failedRows),
        updated_at: new Date(),
        ...(finished && { status: 'completed' as const, finished_at: new Date() }),
      }))
      .where('id', '=', importId)
      .returningAll()
      .executeTakeFirstOrThrow();
    // "completed" means the staged copy of the file (personal data) is gone: it goes in the same commit.
    if (finished) await tx.deleteFrom('import_rows').where('import_id', '=', importId).execute();
    return at(finished ? 'done' : 'more', updated);
  });
}

interface Decided {
  creates: ContactValues[];
  updates: UpdateValues[];
  unchanged: number;
  skipped: number;
  failedRows: number;
  errors: ErrorEntry[];
}

async function decide(tx: Tx, imp: ImportRow, rows: StagedImportRow[], erasureSecret: string): Promise<Decided> {
  const out: Decided = { creates: [], updates: [], unchanged: 0, skipped: 0, failedRows: 0, errors: [] };
  const checked = rows.map((row) => {
    const { problems, values } = checkRow(row);
    const errors = problems.map((p) => problemOf(row.row_no, p));
    if (row.duplicate_of !== null) {
      errors.push({ row_no: row.row_no, field: 'email', code: 'IMPORT_DUPLICATE_EMAIL', message: `Row ${row.row_no} has the same email address as row ${row.duplicate_of}; row ${row.duplicate_of} applies, this one does not.`, other_row: row.duplicate_of });
    }
    return { row, values, errors };
  });
  const candidates = checked.filter((c) => c.errors.length === 0);

  const companyIds = [...new Set(candidates.flatMap((c) => (c.values.companyId ? [c.values.companyId] : [])))];
  const companyNames = [...new Set(candidates.flatMap((c) => (!c.values.companyId && c.row.company_name ? [c.row.company_name.toLowerCase()] : [])))];
  const emails = candidates.map((c) => c.row.email_normalized!);
  const [knownIds, namedCompanies, erased, existing] = await Promise.all([
    companyIds.length ? tx.selectFrom('companies').select('id').where(sql<boolean>`id = any(${companyIds}::uuid[])`).execute() : [],
    companyNames.length ? tx.selectFrom('companies').select(['id', sql<string>`lower(name)`.as('key')]).where(sql<boolean>`lower(name) = any(${companyNames}::text[])`).execute() : [],
    erasedAddresses(tx, erasureSecret, emails),
    emails.length
      ? tx
          .selectFrom('contacts')
          .select(['id', 'email', 'email_normalized', 'first_name', 'last_name', 'company_id', 'time_zone', 'consent', 'status', 'owner_id'])
          .where(sql<boolean>`email_normalized = any(${emails}::text[])`)
          .where('merged_into', 'is', null)
          .orderBy('id')
          .forUpdate()
          .execute()
      : [],
  ]);
  const companyExists = new Set(knownIds.map((c) => c.id));
  const companiesByName = new Map<string, string[]>();
  for (const c of namedCompanies) companiesByName.set(c.key, [...(companiesByName.get(c.key) ?? []), c.id]);
  const byEmail = new Map<string, ExistingContact[]>();
  for (const c of existing) byEmail.set(c.email_normalized!, [...(byEmail.get(c.email_normalized!) ?? []), c]);
  const actor = { userId: imp.requested_by, role: imp.requested_role as RoleName | null };

  for (const c of candidates) {
    const { row, values } = c;
    let companyId = values.companyId;
    if (companyId && !companyExists.has(companyId)) c.errors.push({ row_no: row.row_no, field: 'companyId', code: 'UNKNOWN_COMPANY', message: 'No company has this id.', other_row: null });
    if (!companyId && row.company_name) {
      const ids = companiesByName.get(row.company_name.toLowerCase()) ?? [];
      if (ids.length === 1) companyId = ids[0]!;
      else c.errors.push({ row_no: row.row_no, field: 'companyName', code: 'UNKNOWN_COMPANY', message: ids.length === 0 ? 'No company has this name.' : `${ids.length} companies have this name; give the companyId instead.`, other_row: null });
    }
    if (erased.has(row.email_normalized!)) c.errors.push({ row_no: row.row_no, field: 'email', code: 'ERASED', message: ERASED_ADDRESS_MESSAGE, other_row: null });
    if (c.errors.length > 0) continue;

    const matches = byEmail.get(row.email_normalized!) ?? [];
    const next: ContactValues = { row_no: row.row_no, email: row.email, email_normalized: row.email_normalized, first_name: row.first_name, last_name: row.last_name, company_id: companyId, time_zone: row.time_zone, consent: values.consent, status: values.status, owner_id: null };
    if (matches.length === 0) {
      out.creates.push({ ...next, owner_id: actor.role === 'rep' ? actor.userId : null });
      continue;
    }
    if (matches.length > 1) {
      c.errors.push({ row_no: row.row_no, field: 'email', code: 'IMPORT_MULTIPLE_MATCHES', message: `${matches.length} contacts already have this address (${matches.map((m) => m.id).join(', ')}); merge them first.`, other_row: null });
      continue;
    }
    const current = matches[0]!;
    if (imp.on_existing === 'skip') {
      out.skipped++;
      continue;
    }
    const fields = changedFields(current, next);
    if (fields.length === 0) {
      out.unchanged++;
      continue;
    }
    if (!mayWriteContact(actor, current)) {
      c.errors.push({ row_no: row.row_no, field: null, code: 'IMPORT_NOT_OWNER', message: `Contact ${current.id} is owned by user ${current.owner_id}; only its owner or an admin can update it.`, other_row: null });
      continue;
    }
    out.updates.push({ ...next, id: current.id, fields, owner_id: current.owner_id ?? (actor.role === 'rep' ? actor.userId : null) });
  }
  for (const c of checked) {
    if (c.errors.length > 0) {
      out.failedRows++;
      out.errors.push(...c.errors);
    }
  }
  return out;
}

/** Fields whose (non-empty) cell differs from the contact: an empty cell leaves a field as it is. */
function changedFields(current: ExistingContact, next: ContactValues): string[] {
  const pairs: [string, string | null, string | null][] = [
    ['email', current.email, next.email],
    ['firstName', current.first_name, next.first_name],
    ['lastName', current.last_name, next.last_name],
    ['companyId', current.company_id, next.company_id],
    ['timeZone', current.time_zone, next.time_zone],
    ['consent', current.consent, next.consent],
    ['status', current.status, next.status],
  ];
  return pairs.filter(([, was, cell]) => cell !== null && cell !== was).map(([field]) => field);
}

async function write(tx: Tx, importId: string, d: Decided, actor: string): Promise<void> {
  if (d.creates.length > 0) {
    // The staged row already holds the cells; only what the batch decided (company, normalised consent and
    // status, owner) travels, as arrays. Ids are drawn once (a materialised CTE) so the activity rows name
    // the contacts they belong to without joining back on the address.
    const c = d.creates;
    await sql`
      with d as materialized (
        select gen_random_uuid() as id, u.row_no, u.company_id, u.consent, u.status, u.owner_id,
               r.email, r.email_normalized, r.first_name, r.last_name, r.time_zone
        from unnest(${c.map((x) => x.row_no)}::int[], ${c.map((x) => x.company_id)}::uuid[], ${c.map((x) => x.consent)}::text[],
                    ${c.map((x) => x.status)}::text[], ${c.map((x) => x.owner_id)}::uuid[]) as u(row_no, company_id, consent, status, owner_id)
        join import_rows r on r.import_id = ${importId} and r.row_no = u.row_no),
      ins as (
        insert into contacts (id, email, email_normalized, first_name, last_name, company_id, time_zone, consent, status, owner_id, external_ids)
        select id, email, email_normalized, first_name, last_name, company_id, time_zone, coalesce(consent, 'unknown'), coalesce(status, 'active'), owner_id, '{}'
        from d order by row_no)
      insert into activities (contact_id, company_id, type, data, actor)
      select d.id, d.company_id, 'contact_created', jsonb_build_object('importId', ${importId}::text, 'row', d.row_no), ${actor}
      from d order by d.row_no`.execute(tx);
  }
  if (d.updates.length > 0) {
    await sql`
      with src as (
        select * from jsonb_to_recordset(${JSON.stringify(d.updates)}::jsonb)
          as x(id uuid, row_no int, email text, email_normalized text, first_name text, last_name text, company_id uuid, time_zone text, consent text, status text, owner_id uuid, fields jsonb)),
      upd as (
        update contacts c set
          email = coalesce(src.email, c.email), email_normalized = coalesce(src.email_normalized, c.email_normalized),
          first_name = coalesce(src.first_name, c.first_name), last_name = coalesce(src.last_name, c.last_name),
          company_id = coalesce(src.company_id, c.company_id), time_zone = coalesce(src.time_zone, c.time_zone),
          consent = coalesce(src.consent, c.consent), status = coalesce(src.status, c.status),
          owner_id = src.owner_id, updated_at = now()
        from src where c.id = src.id
        returning c.id, c.company_id)
      insert into activities (contact_id, company_id, type, data, actor)
      select upd.id, upd.company_id, 'contact_updated', jsonb_build_object('importId', ${importId}::text, 'row', src.row_no, 'fields', src.fields), ${actor}
      from upd join src using (id)`.execute(tx);
  }
}

/** Removes the staged copy of the file once the import has finished (it holds personal data). */
export async function dropStagedRows(db: Db, importId: string): Promise<void> {
  await db.deleteFrom('import_rows').where('import_id', '=', importId).execute();
}
