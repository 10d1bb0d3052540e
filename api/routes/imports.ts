import multipart from '@fastify/multipart';
import { stringify } from 'csv-stringify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Readable } from 'node:stream';
import { allImportErrors, cancelImport, getImport, listImportErrors } from '../../services/imports/imports';
import { stageImport } from '../../services/imports/stage-upload';
import { actorOf } from '../actor';
import { ApiError, errorResponseSchema, standardErrors } from '../errors';
import { nonJsonResponse } from '../openapi';
import { idParams, pageSchema } from '../schemas/common';
import { DELIMITER_CHARS, importErrorSchema, importErrorsQuery, importOptions, importSchema, toImportErrorJson, toImportJson, type ImportOptionsInput } from '../schemas/imports';
import type { ApiDeps } from '../types';

const errors = { ...standardErrors, 409: errorResponseSchema, 413: errorResponseSchema, 415: errorResponseSchema };
const CSV_TYPES = ['text/csv', 'application/csv'];

/** Multipart form fields sent before the file (onExisting, dryRun, mapping, …) add to the query string's options. */
async function uploadFrom(req: FastifyRequest, query: ImportOptionsInput): Promise<{ body: AsyncIterable<Buffer>; options: ImportOptionsInput }> {
  if (!req.isMultipart()) return { body: req.body as AsyncIterable<Buffer>, options: query };
  const fields: Record<string, unknown> = Object.fromEntries(new URL(req.url, 'http://upload.local').searchParams);
  for await (const part of req.parts()) {
    if (part.type === 'field') {
      fields[part.fieldname] = String(part.value);
      continue;
    }
    const parsed = importOptions.safeParse(fields);
    if (!parsed.success) throw new ApiError(400, 'VALIDATION_FAILED', 'Invalid import options.', parsed.error.issues.map((i) => ({ path: `body.${i.path.join('.')}`, problem: i.message })));
    return { body: part.file, options: parsed.data };
  }
  throw new ApiError(400, 'VALIDATION_FAILED', 'The multipart form has no file part.', [{ path: 'body.file', problem: 'required: the CSV file' }]);
}

/** CSV import: upload (streamed, staged with COPY), progress, per-row errors (JSON and CSV), cancel. */
export async function importRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { db, config } = deps;
  await app.register(async (scope) => {
    // The upload is read as a stream by the service, never buffered here (the byte limit is enforced while reading).
    scope.addContentTypeParser(CSV_TYPES, (_req, payload, done) => done(null, payload));
    await scope.register(multipart, { limits: { fileSize: config.IMPORT_MAX_BYTES, files: 1, fields: 10, fieldSize: 20_000 }, throwFileSizeLimit: true });
    const r = scope.withTypeProvider<ZodTypeProvider>();

    r.post('/v1/imports', {
      config: { permission: 'imports:write', auditEntity: 'import' },
      bodyLimit: config.IMPORT_MAX_BYTES + 1024 * 1024,
      schema: {
        tags: ['imports'],
        summary: 'Import contacts from CSV (text/csv body, or multipart/form-data with a file part); options in the query string',
        description: 'Email is the unique key. Streams the upload into staging, then the import-<id> workflow validates and applies it in batches. 202 with the import status.',
        querystring: importOptions,
        response: { 202: importSchema, ...errors },
      },
    }, async (req, reply) => {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!CSV_TYPES.includes(contentType) && !req.isMultipart()) {
        throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the file as text/csv, or as multipart/form-data with a file part.');
      }
      const { body, options } = await uploadFrom(req, req.query);
      const row = await stageImport(deps, body, { onExisting: options.onExisting, dryRun: options.dryRun, mapping: options.mapping, encoding: options.encoding, delimiter: options.delimiter ? DELIMITER_CHARS[options.delimiter] : undefined }, actorOf(req));
      return reply.code(202).send(toImportJson({ import: row, rowsPerSecond: null, etaSeconds: null }));
    });

    r.get('/v1/imports/:id', {
      config: { permission: 'jobs:read' },
      schema: { tags: ['imports'], summary: 'Import status and progress (counts, rows/s, ETA); no personal data', params: idParams, response: { 200: importSchema, ...errors } },
    }, async (req) => toImportJson(await getImport(db, req.params.id)));

    r.get('/v1/imports/:id/errors', {
      config: { permission: 'jobs:read' },
      schema: { tags: ['imports'], summary: 'Per-row errors of an import, in row order (row number, field, code; never the values)', params: idParams, querystring: importErrorsQuery, response: { 200: pageSchema(importErrorSchema), ...errors } },
    }, async (req) => {
      const { rows, nextCursor } = await listImportErrors(db, req.params.id, req.query);
      return { items: rows.map(toImportErrorJson), nextCursor };
    });

    r.get('/v1/imports/:id/errors.csv', {
      config: { permission: 'jobs:read' },
      schema: { tags: ['imports'], summary: 'Every per-row error of an import as CSV (row, field, code, message, otherRow)', params: idParams, response: { 200: nonJsonResponse('The errors as CSV (a header row, then one row per error; no personal data)', { 'text/csv': { type: 'string' } }), ...errors } },
    }, async (req, reply) => {
      await getImport(db, req.params.id);
      const csv = stringify({ header: true, columns: ['row', 'field', 'code', 'message', 'otherRow'], record_delimiter: 'windows' });
      const id = req.params.id;
      const rows = Readable.from((async function* () {
        for await (const e of allImportErrors(db, id)) yield toImportErrorJson(e);
      })());
      rows.on('error', (err) => csv.destroy(err)).pipe(csv);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="import-${req.params.id}-errors.csv"`).send(csv as never);
    });

    r.post('/v1/imports/:id/cancel', {
      config: { permission: 'imports:write', auditEntity: 'import' },
      schema: { tags: ['imports'], summary: 'Cancel an import: the batch in flight commits, no further batch starts (202)', params: idParams, response: { 202: importSchema, ...errors } },
    }, async (req, reply) => reply.code(202).send(toImportJson(await cancelImport(db, req.params.id))));
  });
}
