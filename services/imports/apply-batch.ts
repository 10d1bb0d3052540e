/**
 * The `import-<id>` workflow's work, one batch per transaction: validate the next staged rows (the row
 * rules, then company, erased address, existing contact, ownership, in-file duplicate), write the
 * contacts, the activity log, the per-row errors and the counters, and move the import's cursor — all
 * in one commit. A batch retried after a crash finds the cursor past its rows: no row is applied twice.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import type { Tx } from '../../db/lock-order';
import type { ImportRow } from '../../db/schema-duplicates-import';
import type { RoleName } from '../../domain/permissions';
import { ERASED_ADDRESS_MESSAGE, erasedAmong } from '../erasure/erased-subject';
import { mayWriteContact } from '../contacts/ownership';
import { writeBatch, type ContactValues, type CreateDecision, type UpdateDecision } from './batch-writes';
import { readStagedBatch, type ErrorEntry, type StagedBatch } from './staged-batch';

export type BatchState = 'more' | 'done' | 'cancelled' | 'failed';

export interface BatchOutcome {
  state: BatchState;
  appliedThrough: number;
  processed: number;
}

/** Import batches of every import run one at a time: two files with one new address cannot both create it. */
export const IMPORT_APPLY_LOCK = 0x1_2_0_0_1;

/** A contact as stored: the import's contact fields, where consent and status are never null. */
interface ExistingContact extends Omit<ContactValues, 'row_no' | 'consent' | 'status'> {
  id: string;
  consent: string;
  status: string;
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
    // Only addresses that occur more than once are joined back (a hash aggregate, no sort of the whole file).
    await sql`
      update import_rows r set duplicate_of = d.first_row
      from (select email_normalized, min(row_no) as first_row from import_rows
            where import_id = ${importId} and email_normalized is not null
            group by email_normalized having count(*) > 1) d
      where r.import_id = ${importId} and r.email_normalized = d.email_normalized and r.row_no > d.first_row`.execute(tx);
    await tx.updateTable('imports').set({ status: 'running', started_at: new Date(), updated_at: new Date() }).where('id', '=', importId).execute();
    return 'running';
  });
}

export interface BatchOptions {
  batchSize: number;
  erasureSecret: string;
  actor: string;
  /** The caller holds the import lock for the whole run (apply-lanes.ts): the batch does not take it. */
  lockHeld?: boolean;
  /** Called once this batch's rows are read: its last row, and whether it is the import's last batch. */
  onRead?: (read: BatchRead) => void;
}

export interface BatchRead {
  last: number;
  finished: boolean;
}

/**
 * Applies the batch at the import's cursor, in one transaction. The first batch of each run: it locks
 * the import's row for the whole batch and moves the import through its end states (cancelled,
 * completed, staging lost).
 */
export async function applyNextBatch(db: Db, importId: string, opts: BatchOptions): Promise<BatchOutcome> {
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
    if (!opts.lockHeld) await sql`select pg_advisory_xact_lock(${IMPORT_APPLY_LOCK})`.execute(tx);

    const batch = await readStagedBatch(tx, importId, imp.applied_through, opts.batchSize, opts.erasureSecret);
    if (batch.checked.length === 0) {
      if (imp.processed < imp.total_rows) {
        const message = 'The staged rows of this import were lost (database restart); upload the file again.';
        await tx.updateTable('imports').set({ status: 'failed', code: 'IMPORT_STAGING_LOST', message, finished_at: new Date(), updated_at: new Date() }).where('id', '=', importId).execute();
        return at('failed');
      }
      await tx.updateTable('imports').set({ status: 'completed', finished_at: new Date(), updated_at: new Date() }).where('id', '=', importId).execute();
      await tx.deleteFrom('import_rows').where('import_id', '=', importId).execute();
      return at('done');
    }
    const read = readOf(imp, batch, opts);
    const decided = await decideAndWrite(tx, imp, batch, opts);
    const updated = await moveCursor(tx, imp, batch, read, decided);
    return at(read.finished ? 'done' : 'more', updated!);
  });
}

/** A follower could not commit: the batch before it did not (or the import stopped). Rolls it back. */
class NotApplied extends Error {}

/**
 * Applies the batch after `after` while the batch before it (`previous`, which ends at `after`) is
 * still writing, on another connection: it reads, decides and writes its rows meanwhile, then commits
 * only once `previous` has committed and the import's cursor is at `after`. Otherwise it rolls back
 * and resolves null: its rows are applied by the next run, from the cursor. The caller holds the
 * import lock (its rows' addresses are not in `previous`: in-file duplicates are marked beforehand).
 */
export async function applyFollowingBatch(db: Db, importId: string, after: number, previous: Promise<BatchOutcome>, opts: BatchOptions): Promise<BatchOutcome | null> {
  try {
    return await db.transaction().execute(async (tx): Promise<BatchOutcome> => {
      // Not locked: the import's row is locked by `previous` until it commits; its settings do not change.
      const imp = await tx.selectFrom('imports').selectAll().where('id', '=', importId).executeTakeFirst();
      if (imp?.status !== 'running') throw new NotApplied();
      const batch = await readStagedBatch(tx, importId, after, opts.batchSize, opts.erasureSecret);
      if (batch.checked.length === 0) throw new NotApplied();
      const read = readOf(imp, batch, opts);
      const decided = await decideAndWrite(tx, imp, batch, opts);
      const before = await previous.catch(() => null);
      if (before?.state !== 'more' || before.appliedThrough !== after) throw new NotApplied();
      const updated = await moveCursor(tx, imp, batch, read, decided, after);
      if (!updated) throw new NotApplied();
      return { state: read.finished ? 'done' : 'more', appliedThrough: updated.applied_through, processed: updated.processed };
    });
  } catch (err) {
    if (err instanceof NotApplied) return null;
    throw err;
  }
}

function readOf(imp: ImportRow, batch: StagedBatch, opts: BatchOptions): BatchRead {
  const rows = batch.checked;
  const last = rows[rows.length - 1]!.row.row_no;
  // Not "fewer rows than a batch": a range with a lost row in it is not the end (lost rows fail the import).
  const read = { last, finished: last - 1 >= imp.total_rows };
  opts.onRead?.(read);
  return read;
}

async function decideAndWrite(tx: Tx, imp: ImportRow, batch: StagedBatch, opts: BatchOptions): Promise<Decided> {
  const decided = await decide(tx, imp, batch);
  if (!imp.dry_run) await writeBatch(tx, imp.id, decided, opts.actor);
  if (decided.errors.length > 0) {
    await sql`
      insert into import_errors (import_id, row_no, field, code, message, other_row)
      select ${imp.id}::uuid, row_no, field, code, message, other_row
      from jsonb_to_recordset(${JSON.stringify(decided.errors)}::jsonb) as x(row_no int, field text, code text, message text, other_row int)
      order by row_no`.execute(tx);
  }
  return decided;
}

/**
 * Counters and cursor, in the batch's commit; with `expectedCursor`, only if the cursor is still there
 * and the import still running (else nothing is updated and undefined comes back).
 */
async function moveCursor(tx: Tx, imp: ImportRow, batch: StagedBatch, read: BatchRead, decided: Decided, expectedCursor?: number): Promise<ImportRow | undefined> {
  let update = tx
    .updateTable('imports')
    .set((eb) => ({
      applied_through: read.last,
      processed: eb('processed', '+', batch.checked.length),
      created: eb('created', '+', decided.creates.length),
      updated: eb('updated', '+', decided.updates.length),
      unchanged: eb('unchanged', '+', decided.unchanged),
      skipped: eb('skipped', '+', decided.skipped),
      failed: eb('failed', '+', decided.failedRows),
      updated_at: new Date(),
      ...(read.finished && { status: 'completed' as const, finished_at: new Date() }),
    }))
    .where('id', '=', imp.id);
  if (expectedCursor !== undefined) update = update.where('applied_through', '=', expectedCursor).where('status', '=', 'running');
  const updated = await update.returningAll().executeTakeFirst();
  // "completed" means the staged copy of the file (personal data) is gone: it goes in the same commit.
  if (updated && read.finished) await tx.deleteFrom('import_rows').where('import_id', '=', imp.id).execute();
  return updated;
}

interface Decided {
  creates: CreateDecision[];
  updates: UpdateDecision[];
  unchanged: number;
  skipped: number;
  failedRows: number;
  errors: ErrorEntry[];
}

async function decide(tx: Tx, imp: ImportRow, batch: StagedBatch): Promise<Decided> {
  const out: Decided = { creates: [], updates: [], unchanged: 0, skipped: 0, failedRows: 0, errors: [] };
  const { checked } = batch;
  const candidates = checked.filter((c) => c.errors.length === 0);

  const companyIds = [...new Set(candidates.flatMap((c) => (c.values.companyId ? [c.values.companyId] : [])))];
  const companyNames = [...new Set(candidates.flatMap((c) => (!c.values.companyId && c.row.company_name ? [c.row.company_name.toLowerCase()] : [])))];
  const emails = candidates.map((c) => c.row.email_normalized!);
  const [knownIds, namedCompanies, erased, existing] = await Promise.all([
    companyIds.length ? tx.selectFrom('companies').select('id').where(sql<boolean>`id = any(${companyIds}::uuid[])`).where('merged_into', 'is', null).execute() : [],
    companyNames.length ? tx.selectFrom('companies').select(['id', sql<string>`lower(name)`.as('key')]).where(sql<boolean>`lower(name) = any(${companyNames}::text[])`).where('merged_into', 'is', null).execute() : [],
    erasedAmong(tx, batch.hashes),
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
      out.creates.push({ row_no: row.row_no, company_id: companyId, consent: values.consent, status: values.status, owner_id: actor.role === 'rep' ? actor.userId : null });
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

/** Removes the staged copy of the file once the import has finished (it holds personal data). */
export async function dropStagedRows(db: Db, importId: string): Promise<void> {
  await db.deleteFrom('import_rows').where('import_id', '=', importId).execute();
}
