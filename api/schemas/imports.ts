import { z } from 'zod';
import type { ImportProgress, ImportErrorRow } from '../../services/imports/imports';
import { IMPORT_ENCODINGS, IMPORT_FIELDS, IMPORT_STATUSES, ON_EXISTING } from '../../domain/imports/vocabulary';

const mappingOverride = z.partialRecord(z.enum(IMPORT_FIELDS), z.string().min(1).max(200).nullable());

/** Options of an upload: in the query string (text/csv and multipart), or as multipart fields before the file. */
export const importOptions = z.strictObject({
  onExisting: z.enum(ON_EXISTING).default('update'),
  dryRun: z.stringbool().default(false),
  /** JSON: { "<field>": "<header>" | null } overriding the detected mapping. */
  mapping: z
    .string()
    .max(10_000)
    .transform((text, ctx) => {
      try {
        const parsed = mappingOverride.safeParse(JSON.parse(text));
        if (parsed.success) return parsed.data;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: `must be JSON like {"email":"E-mail address","lastName":null} with fields ${IMPORT_FIELDS.join(', ')}` });
      return z.NEVER;
    })
    .optional(),
  encoding: z.enum(IMPORT_ENCODINGS).optional(),
  delimiter: z.enum(['comma', 'semicolon', 'tab']).optional(),
});
export type ImportOptionsInput = z.infer<typeof importOptions>;

export const DELIMITER_CHARS = { comma: ',', semicolon: ';', tab: '\t' } as const;

export const importSchema = z
  .object({
    id: z.string(),
    status: z.enum(IMPORT_STATUSES),
    dryRun: z.boolean(),
    onExisting: z.enum(ON_EXISTING),
    encoding: z.string().nullable(),
    delimiter: z.string().nullable(),
    mapping: z.record(z.string(), z.string()),
    ignoredColumns: z.array(z.string()),
    bytes: z.number(),
    progress: z.object({
      total: z.number(),
      processed: z.number(),
      created: z.number(),
      updated: z.number(),
      unchanged: z.number(),
      skipped: z.number(),
      failed: z.number(),
      rowsPerSecond: z.number().nullable(),
      etaSeconds: z.number().nullable(),
    }),
    code: z.string().nullable(),
    message: z.string().nullable(),
    errorReport: z.object({ json: z.string(), csv: z.string() }),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'Import' });

export function toImportJson({ import: r, rowsPerSecond, etaSeconds }: ImportProgress): z.infer<typeof importSchema> {
  return {
    id: r.id,
    status: r.status,
    dryRun: r.dry_run,
    onExisting: r.on_existing,
    encoding: r.encoding,
    delimiter: r.delimiter === '\t' ? 'tab' : r.delimiter,
    mapping: r.mapping,
    ignoredColumns: r.ignored_columns,
    bytes: Number(r.bytes),
    progress: { total: r.total_rows, processed: r.processed, created: r.created, updated: r.updated, unchanged: r.unchanged, skipped: r.skipped, failed: r.failed, rowsPerSecond, etaSeconds },
    code: r.code,
    message: r.message,
    errorReport: { json: `/v1/imports/${r.id}/errors`, csv: `/v1/imports/${r.id}/errors.csv` },
    createdAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

export const importErrorSchema = z.object({ row: z.number(), field: z.string().nullable(), code: z.string(), message: z.string(), otherRow: z.number().nullable() }).meta({ id: 'ImportError' });

export const toImportErrorJson = (e: ImportErrorRow): z.infer<typeof importErrorSchema> => ({ row: e.row_no, field: e.field, code: e.code, message: e.message, otherRow: e.other_row });

export const importErrorsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional(),
  code: z.string().max(100).optional(),
});
