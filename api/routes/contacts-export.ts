import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { exportContactsCsv } from '../../services/contacts/export-csv';
import { standardErrors } from '../errors';
import { nonJsonResponse } from '../openapi';
import { contactListQuery } from '../schemas/contacts';
import type { ApiDeps } from '../types';

/** The contacts the list route would return (same filters, no paging), as CSV the import reads back. */
export function contactExportRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/v1/contacts/export.csv', {
    config: { permission: 'contacts:export' },
    schema: { tags: ['contacts'], summary: 'Export contacts as CSV (RFC 4180, UTF-8 with BOM; formula-looking cells neutralised); filters as the list route', querystring: contactListQuery.omit({ limit: true, cursor: true }), response: { 200: nonJsonResponse('The contacts as CSV (a header row, then one row per contact)', { 'text/csv': { type: 'string' } }), ...standardErrors } },
  }, async (req, reply) => {
    const stamp = new Date().toISOString().slice(0, 10);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="contacts-${stamp}.csv"`).send(exportContactsCsv(db, req.query) as never);
  });
}
