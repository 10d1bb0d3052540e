import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { REASON_CODES } from '../../domain/reason-codes';
import { errorResponseSchema } from '../errors';
import type { ApiDeps } from '../types';

const catalogue = Object.entries(REASON_CODES)
  .map(([code, description]: [string, string]) => ({ code, description }))
  .sort((a, b) => a.code.localeCompare(b.code));

/** Every reason code the service records, with what it means: the answer to "why?" in one place. */
export function reasonCodeRoutes(app: FastifyInstance, _deps: ApiDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/reason-codes', {
    config: { permission: 'companies:read' },
    schema: {
      tags: ['diagnostics'],
      summary: 'Every reason code with its meaning',
      response: { 200: z.object({ items: z.array(z.object({ code: z.string(), description: z.string() })) }), 401: errorResponseSchema, 403: errorResponseSchema },
    },
  }, async () => ({ items: catalogue }));
}
