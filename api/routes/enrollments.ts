import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { enrollContacts } from '../../services/enrollments/enroll';
import { getEnrollment, listEnrollmentsOfContact, requireSequenceExists, signalPauseOrResume, unenroll } from '../../services/enrollments/enrollments';
import { actorOf } from '../actor';
import { errorResponseSchema, standardErrors } from '../errors';
import { idParams } from '../schemas/common';
import { enrollBody, enrollmentListSchema, enrollmentSchema, enrollResponseSchema } from '../schemas/enrollments';
import type { ApiDeps } from '../types';

const errors = { ...standardErrors, 409: errorResponseSchema };

/** Enrollments (reps): enroll in bulk, read, pause, resume, unenroll. */
export function enrollmentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/v1/sequences/:id/enrollments', {
    config: { permission: 'enrollments:write', auditEntity: 'sequence' },
    schema: {
      tags: ['enrollments'],
      summary: 'Enroll 1–1,000 contacts; each result lists every failing rule code',
      params: idParams,
      body: enrollBody,
      response: { 200: enrollResponseSchema, ...errors },
    },
  }, async (req) => {
    await requireSequenceExists(db, req.params.id);
    return { results: await enrollContacts(deps, req.params.id, req.body.contactIds, { actor: actorOf(req), log: req.log }) };
  });

  r.get('/v1/enrollments/:id', {
    config: { permission: 'enrollments:read' },
    schema: { tags: ['enrollments'], summary: 'An enrollment: status, what it waits for, and each step with its reasons', params: idParams, response: { 200: enrollmentSchema, ...errors } },
  }, async (req) => getEnrollment(db, req.params.id));

  r.get('/v1/contacts/:id/enrollments', {
    config: { permission: 'contacts:read' },
    schema: { tags: ['enrollments'], summary: "A contact's enrollments, oldest first", params: idParams, response: { 200: enrollmentListSchema, ...errors } },
  }, async (req) => ({ items: await listEnrollmentsOfContact(db, req.params.id) }));

  for (const action of ['pause', 'resume'] as const) {
    r.post(`/v1/enrollments/:id/${action}`, {
      config: { permission: 'enrollments:write', auditEntity: 'enrollment' },
      schema: { tags: ['enrollments'], summary: `${action === 'pause' ? 'Pause' : 'Resume'} an enrollment (the workflow records it within moments)`, params: idParams, response: { 202: enrollmentSchema, ...errors } },
    }, async (req, reply) => reply.code(202).send(await signalPauseOrResume(deps, req.params.id, action, actorOf(req))));
  }

  r.post('/v1/enrollments/:id/unenroll', {
    config: { permission: 'enrollments:write', auditEntity: 'enrollment' },
    schema: { tags: ['enrollments'], summary: 'Unenroll: ends the enrollment (UNENROLLED); nothing more is sent', params: idParams, response: { 200: enrollmentSchema, ...errors } },
  }, async (req) => unenroll(deps, req.params.id, actorOf(req)));
}
