import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { resolvePerson } from '../../services/matching/resolve';
import { actorOf } from '../actor';
import { errorResponseSchema, standardErrors } from '../errors';
import { resolvePersonBody, resolvePersonSchema } from '../schemas/people';
import type { ApiDeps } from '../types';

/** Account matching for inbound people (README "Account matching and company merge"). */
export function peopleRoutes(app: FastifyInstance, { db, config }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/v1/people/resolve', {
    config: { permission: 'contacts:write', auditEntity: 'contact' },
    schema: {
      tags: ['contacts'],
      summary: 'Resolve an inbound person: existing contact by email → company by domain → CRM account by domain → new company (free-mail domains never make a company)',
      body: resolvePersonBody,
      response: { 200: resolvePersonSchema, 201: resolvePersonSchema, ...standardErrors, 409: errorResponseSchema, 503: errorResponseSchema },
    },
  }, async (req, reply) => {
    const result = await resolvePerson({ db, config }, req.body, actorOf(req));
    return reply.code(result.contact.created ? 201 : 200).send(result);
  });
}
