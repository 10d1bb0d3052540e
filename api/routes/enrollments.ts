import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { recordActivity } from '../../db/activity-log';
import { loadEnrollmentViews } from '../../db/enrollment-view';
import { endLiveEnrollments, isLive } from '../../db/enrollments';
import { conflict, errorResponseSchema, notFound, standardErrors } from '../errors';
import { idParams } from '../schemas/common';
import { enrollBody, enrollmentListSchema, enrollmentSchema, enrollResponseSchema } from '../schemas/enrollments';
import type { ApiDeps } from '../types';
import { enrollContacts } from './enroll-contacts';
import { signalEnrollments } from './enrollment-workflows';

const errors = { ...standardErrors, 409: errorResponseSchema };

/**
 * Enrollments (reps). Reads come from the database (the workflow mirrors its state there).
 * Pause / resume are signals the workflow acts on; unenroll ends the enrollment in the database
 * first (so no later claim can send) and then signals the workflow to stop.
 */
export function enrollmentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, temporal } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function viewOf(id: string) {
    const [view] = await loadEnrollmentViews(db, { ids: [id] });
    if (!view) throw notFound('Enrollment', id);
    return view;
  }

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
    const sequence = await db.selectFrom('sequences').select('id').where('id', '=', req.params.id).executeTakeFirst();
    if (!sequence) throw notFound('Sequence', req.params.id);
    return { results: await enrollContacts(deps, sequence.id, req.body.contactIds, { userId: req.principal?.userId ?? null, log: req.log }) };
  });

  r.get('/v1/enrollments/:id', {
    config: { permission: 'enrollments:read' },
    schema: { tags: ['enrollments'], summary: 'An enrollment: status, what it waits for, and each step with its reasons', params: idParams, response: { 200: enrollmentSchema, ...errors } },
  }, async (req) => viewOf(req.params.id));

  r.get('/v1/contacts/:id/enrollments', {
    config: { permission: 'contacts:read' },
    schema: { tags: ['enrollments'], summary: "A contact's enrollments, oldest first", params: idParams, response: { 200: enrollmentListSchema, ...errors } },
  }, async (req) => {
    const contact = await db.selectFrom('contacts').select('id').where('id', '=', req.params.id).executeTakeFirst();
    if (!contact) throw notFound('Contact', req.params.id);
    return { items: await loadEnrollmentViews(db, { contactId: contact.id }) };
  });

  for (const action of ['pause', 'resume'] as const) {
    r.post(`/v1/enrollments/:id/${action}`, {
      config: { permission: 'enrollments:write', auditEntity: 'enrollment' },
      schema: { tags: ['enrollments'], summary: `${action === 'pause' ? 'Pause' : 'Resume'} an enrollment (the workflow records it within moments)`, params: idParams, response: { 202: enrollmentSchema, ...errors } },
    }, async (req, reply) => {
      const view = await viewOf(req.params.id);
      if (!isLive(view.status)) throw conflict('ENROLLMENT_NOT_LIVE', `The enrollment is ${view.status}; only a live enrollment can be ${action}d.`);
      await signalEnrollments(temporal, [view.id], { kind: action });
      return reply.code(202).send(view);
    });
  }

  r.post('/v1/enrollments/:id/unenroll', {
    config: { permission: 'enrollments:write', auditEntity: 'enrollment' },
    schema: { tags: ['enrollments'], summary: 'Unenroll: ends the enrollment (UNENROLLED); nothing more is sent', params: idParams, response: { 200: enrollmentSchema, ...errors } },
  }, async (req) => {
    const before = await viewOf(req.params.id);
    if (!isLive(before.status)) throw conflict('ENROLLMENT_NOT_LIVE', `The enrollment is already ${before.status}.`);
    const ended = await endLiveEnrollments(db, { enrollmentId: before.id }, 'UNENROLLED');
    if (ended.length > 0) {
      await recordActivity(db, {
        contactId: before.contactId,
        type: 'unenrolled',
        reasonCode: 'UNENROLLED',
        data: { enrollmentId: before.id, sequenceId: before.sequenceId },
        actor: `user:${req.principal?.userId ?? 'unknown'}`,
        dedupeKey: `unenrolled:${before.id}`,
      });
      await signalEnrollments(temporal, ended, { kind: 'end', reason: 'UNENROLLED' });
    }
    return viewOf(before.id);
  });
}
