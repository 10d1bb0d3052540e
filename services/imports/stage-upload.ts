/**
 * `POST /v1/imports`: the upload is read as it arrives, mapped, and staged row by row with COPY into
 * `import_rows`; then the `import-<id>` workflow validates and applies it in batches. The file is never
 * held whole in memory, and its content never enters Temporal.
 */
import type { Client } from '@temporalio/client';
import { poolOf, type Db } from '../../db/database';
import type { ImportRow } from '../../db/schema-duplicates-import';
import type { AppConfig } from '../../domain/config';
import { normalizeEmail } from '../../domain/email-address';
import { describeMapping, ignoredColumns, resolveMapping, type ColumnMapping, type MappingOverride } from '../../domain/imports/columns';
import { unneutralizeCell } from '../../domain/imports/formula-guard';
import type { Delimiter } from '../../domain/imports/sniff';
import type { ImportEncoding, OnExisting } from '../../domain/imports/vocabulary';
import { startImportWorkflow } from '../../temporal/import-workflows';
import type { Actor } from '../actor';
import { invalidFields, ServiceError, type FieldProblem } from '../errors';
import { openCopyWriter } from '../../db/copy-writer';
import { CsvFormatError, openCsvSource, UploadTooLargeError } from './csv-source';

export interface ImportOptions {
  onExisting: OnExisting;
  dryRun: boolean;
  mapping?: MappingOverride;
  encoding?: ImportEncoding;
  delimiter?: Delimiter;
}

export interface ImportDeps {
  db: Db;
  temporal: Client;
  config: AppConfig;
}

const COPY_STATEMENT = 'COPY import_rows (import_id, row_no, email, email_normalized, first_name, last_name, company_id, company_name, time_zone, consent, status) FROM STDIN';

/** The header is row 1, as a spreadsheet numbers it; the first data row is row 2. */
export const FIRST_DATA_ROW = 2;

function cell(record: string[], index: number | undefined): string | null {
  if (index === undefined) return null;
  const raw = record[index];
  if (raw === undefined) return null;
  const value = unneutralizeCell(raw.trim());
  return value === '' ? null : value;
}

function stagedValues(importId: string, rowNo: number, record: string[], m: ColumnMapping): (string | number | null)[] {
  const email = cell(record, m.email);
  return [importId, rowNo, email, email === null ? null : normalizeEmail(email), cell(record, m.firstName), cell(record, m.lastName), cell(record, m.companyId), cell(record, m.companyName), cell(record, m.timeZone), cell(record, m.consent), cell(record, m.status)];
}

const tooLarge = (message: string) => new ServiceError('invalid', 'IMPORT_TOO_LARGE', message, [{ path: 'body', problem: message, code: 'IMPORT_TOO_LARGE' }]);

export async function stageImport(deps: ImportDeps, body: AsyncIterable<Buffer | string>, opts: ImportOptions, actor: Actor): Promise<ImportRow> {
  const { db, config } = deps;
  const created = await db
    .insertInto('imports')
    .values({ status: 'uploading', dry_run: opts.dryRun, on_existing: opts.onExisting, requested_by: actor.userId, requested_role: actor.role })
    .returning('id')
    .executeTakeFirstOrThrow();
  const importId = created.id;
  const fail = async (code: string, message: string) => {
    await db.updateTable('imports').set({ status: 'failed', code, message, finished_at: new Date(), updated_at: new Date() }).where('id', '=', importId).execute();
  };

  let staged: { rows: number; bytes: number; encoding: ImportEncoding; delimiter: Delimiter; mapping: Record<string, string>; ignored: string[] };
  try {
    staged = await stream(deps, importId, body, opts);
  } catch (err) {
    if (err instanceof UploadTooLargeError) {
      await fail('IMPORT_TOO_LARGE', err.message);
      throw tooLarge(err.message);
    }
    if (err instanceof CsvFormatError) {
      await fail('VALIDATION_FAILED', 'The file is not valid CSV.');
      throw invalidFields([{ path: 'body', problem: `not valid CSV (near row ${err.row}): ${err.message}` }], 'The file is not valid CSV.');
    }
    if (err instanceof ServiceError) {
      await fail(err.code, err.message);
      throw err;
    }
    await fail('INTERNAL', 'The upload failed before it was staged; upload the file again.');
    throw err;
  }

  await db
    .updateTable('imports')
    .set({ status: 'queued', total_rows: staged.rows, bytes: staged.bytes, encoding: staged.encoding, delimiter: staged.delimiter, mapping: JSON.stringify(staged.mapping), ignored_columns: JSON.stringify(staged.ignored), workflow_id: `import-${importId}`, updated_at: new Date() })
    .where('id', '=', importId)
    .execute();
  try {
    await startImportWorkflow(deps.temporal, config.TEMPORAL_TASK_QUEUE, importId);
  } catch (err) {
    await fail('TEMPORAL_UNAVAILABLE', 'The import could not be started; upload the file again.');
    await db.deleteFrom('import_rows').where('import_id', '=', importId).execute();
    throw err;
  }
  return db.selectFrom('imports').selectAll().where('id', '=', importId).executeTakeFirstOrThrow();
}

async function stream(deps: ImportDeps, importId: string, body: AsyncIterable<Buffer | string>, opts: ImportOptions) {
  const { config } = deps;
  const source = await openCsvSource(body, { maxBytes: config.IMPORT_MAX_BYTES, encoding: opts.encoding, delimiter: opts.delimiter });
  const chunks = source.records[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) throw invalidFields([{ path: 'body', problem: 'the file is empty: expected a header row and data rows' }], 'The file is empty.');
  const headers = first.value[0]!.map((h) => h.trim());
  let resolved: ReturnType<typeof resolveMapping>;
  try {
    resolved = resolveMapping(headers, opts.mapping);
    if (!resolved.ok) throw invalidFields(resolved.problems.map((p): FieldProblem => ({ path: `mapping.${p.field}`, problem: p.problem })));
    if (resolved.mapping.email === undefined) {
      const message = `No column maps to the email address (the unique key). Columns: ${headers.join(', ')}. Name one "email" or pass mapping.email.`;
      throw new ServiceError('invalid', 'IMPORT_NO_EMAIL_COLUMN', message, [{ path: 'mapping.email', problem: 'no column of the file maps to email', code: 'IMPORT_NO_EMAIL_COLUMN' }]);
    }
  } catch (err) {
    await chunks.return?.(undefined);
    throw err;
  }
  const { mapping } = resolved;

  const copy = await openCopyWriter(poolOf(deps.db), COPY_STATEMENT);
  let rowNo = FIRST_DATA_ROW - 1;
  try {
    for (let chunk: string[][] | undefined = first.value.slice(1); chunk; chunk = await nextChunk()) {
      for (const record of chunk) {
        rowNo++;
        if (rowNo - 1 > config.IMPORT_MAX_ROWS) throw new UploadTooLargeError(`The file has more than ${config.IMPORT_MAX_ROWS} data rows.`);
        await copy.write(stagedValues(importId, rowNo, record, mapping));
      }
    }
    const rows = await copy.finish();
    return { rows, bytes: source.bytes(), encoding: source.encoding, delimiter: source.delimiter, mapping: describeMapping(headers, mapping), ignored: ignoredColumns(headers, mapping) };
  } catch (err) {
    await copy.abort(err as Error);
    await chunks.return?.(undefined);
    throw err;
  }

  async function nextChunk(): Promise<string[][] | undefined> {
    const next = await chunks.next();
    return next.done ? undefined : next.value;
  }
}
