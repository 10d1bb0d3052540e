import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { diagnoseContact } from '../../services/diagnostics/contact-diagnostics';
import { standardErrors } from '../errors';
import { idParams } from '../schemas/common';
import { contactDiagnosticsSchema, diagnosticsQuery, sequenceDiagnosticsSchema } from '../schemas/diagnostics';
import type { ApiDeps } from '../types';

export function diagnosticsRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/contacts/:id/diagnostics', {
    config: { permission: 'contacts:read' },
    schema: {
      tags: ['contacts'],
      summary: 'Why a contact does or does not get sequence email: every rule with pass/fail and its code, per sequence (one sequence with ?sequenceId=)',
      params: idParams,
      querystring: diagnosticsQuery,
      response: { 200: sequenceDiagnosticsSchema.or(contactDiagnosticsSchema), ...standardErrors },
    },
  }, async (req) => diagnoseContact(db, req.params.id, req.query.sequenceId, new Date()));
}
