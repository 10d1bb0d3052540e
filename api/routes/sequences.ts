import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SEQUENCE_STATUSES } from '../../domain/sequences/vocabulary';
import { createSequence, getSequence, listSequences, SEQUENCE_TRANSITIONS, transitionSequence, updateSequence, type SequenceWithSteps } from '../../services/sequences/sequences';
import { errorResponseSchema, standardErrors } from '../errors';
import { idParams, pageQuery, pageSchema } from '../schemas/common';
import { createSequenceBody, sequenceSchema, toSequenceJson, updateSequenceBody } from '../schemas/sequences';
import type { ApiDeps } from '../types';

const errors = { ...standardErrors, 409: errorResponseSchema };
const json = ({ sequence, steps }: SequenceWithSteps) => toSequenceJson(sequence, steps);

/** Sequences (admin writes, reps read). */
export function sequenceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/v1/sequences', {
    config: { permission: 'sequences:write', auditEntity: 'sequence' },
    schema: { tags: ['sequences'], summary: 'Create a sequence (as draft)', body: createSequenceBody, response: { 201: sequenceSchema, ...errors } },
  }, async (req, reply) => reply.code(201).send(json(await createSequence(db, req.body))));

  r.get('/v1/sequences', {
    config: { permission: 'sequences:read' },
    schema: {
      tags: ['sequences'],
      summary: 'List sequences',
      querystring: z.strictObject({ ...pageQuery, status: z.enum(SEQUENCE_STATUSES).optional() }),
      response: { 200: pageSchema(sequenceSchema), ...errors },
    },
  }, async (req) => {
    const { items, nextCursor } = await listSequences(db, req.query);
    return { items: items.map(json), nextCursor };
  });

  r.get('/v1/sequences/:id', {
    config: { permission: 'sequences:read' },
    schema: { tags: ['sequences'], summary: 'Get a sequence with its live steps', params: idParams, response: { 200: sequenceSchema, ...errors } },
  }, async (req) => json(await getSequence(db, req.params.id)));

  r.patch('/v1/sequences/:id', {
    config: { permission: 'sequences:write', auditEntity: 'sequence' },
    schema: { tags: ['sequences'], summary: 'Edit a sequence; live enrollments use edited steps they have not reached', params: idParams, body: updateSequenceBody, response: { 200: sequenceSchema, ...errors } },
  }, async (req) => json(await updateSequence(deps, req.params.id, req.body)));

  for (const action of ['activate', 'pause', 'resume', 'archive'] as const) {
    const { from, to } = SEQUENCE_TRANSITIONS[action];
    r.post(`/v1/sequences/:id/${action}`, {
      config: { permission: 'sequences:write', auditEntity: 'sequence' },
      schema: { tags: ['sequences'], summary: `${action[0]!.toUpperCase()}${action.slice(1)} a sequence (${from.join(' / ')} → ${to})`, params: idParams, response: { 200: sequenceSchema, ...errors } },
    }, async (req) => json(await transitionSequence(deps, req.params.id, action)));
  }
}
