import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/database';
import { endLiveEnrollments, liveEnrollmentIdsOfSequence } from '../../db/enrollments';
import type { SequenceStatus } from '../../db/schema';
import { foreignStepIds, saveSteps } from '../../db/sequence-steps';
import { DEFAULT_SEND_WINDOW } from '../../domain/sequences/send-window';
import { conflict, errorResponseSchema, notFound, type ErrorDetail, standardErrors } from '../errors';
import { pageInCreationOrder } from '../pagination';
import { idParams, pageQuery, pageSchema } from '../schemas/common';
import { fieldErrors } from '../schemas/field-errors';
import { createSequenceBody, sequenceSchema, toSequenceJson, updateSequenceBody, type StepInput } from '../schemas/sequences';
import type { ApiDeps } from '../types';
import { signalEnrollments } from './enrollment-workflows';

const errors = { ...standardErrors, 409: errorResponseSchema };

/** Allowed state changes: action → (from states, to state). Repeating the current state is a no-op. */
const TRANSITIONS: Record<'activate' | 'pause' | 'resume' | 'archive', { from: SequenceStatus[]; to: SequenceStatus }> = {
  activate: { from: ['draft'], to: 'active' },
  pause: { from: ['active'], to: 'paused' },
  resume: { from: ['paused'], to: 'active' },
  archive: { from: ['draft', 'active', 'paused'], to: 'archived' },
};

async function loadSequenceJson(db: Db, id: string) {
  const row = await db.selectFrom('sequences').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Sequence', id);
  const steps = await db.selectFrom('sequence_steps').selectAll().where('sequence_id', '=', id).execute();
  return toSequenceJson(row, steps);
}

/** References a body makes: the mailbox must exist; step ids may not belong to another sequence. */
async function checkReferences(db: Db, sequenceId: string | null, b: { mailboxId?: string; steps?: StepInput[] }): Promise<void> {
  const details: ErrorDetail[] = [];
  if (b.mailboxId) {
    const m = await db.selectFrom('mailboxes').select('id').where('id', '=', b.mailboxId).executeTakeFirst();
    if (!m) details.push({ path: 'body.mailboxId', problem: 'no mailbox with this id' });
  }
  const ids = (b.steps ?? []).flatMap((s) => (s.id ? [s.id] : []));
  const foreign = await foreignStepIds(db, sequenceId, ids);
  b.steps?.forEach((s, i) => {
    if (s.id && foreign.has(s.id)) details.push({ path: `body.steps.${i}.id`, problem: 'this id belongs to a step of another sequence' });
  });
  if (details.length) throw fieldErrors(details);
}

/**
 * Sequences (admin writes, reps read). Created as draft; edits of a live sequence keep step ids
 * (see db/sequence-steps.ts for the rule) and wake live enrollments so they re-plan their next step.
 */
export function sequenceRoutes(app: FastifyInstance, { db, temporal }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/v1/sequences', {
    config: { permission: 'sequences:write', auditEntity: 'sequence' },
    schema: { tags: ['sequences'], summary: 'Create a sequence (as draft)', body: createSequenceBody, response: { 201: sequenceSchema, ...errors } },
  }, async (req, reply) => {
    const b = req.body;
    await checkReferences(db, null, b);
    const id = await db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('sequences')
        .values({
          name: b.name,
          mailbox_id: b.mailboxId,
          send_window: JSON.stringify(b.sendWindow === undefined ? DEFAULT_SEND_WINDOW : b.sendWindow),
          time_zone: b.timeZone,
          unenroll_on_reply: b.unenrollOnReply,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await saveSteps(tx, row.id, b.steps);
      return row.id;
    });
    return reply.code(201).send(await loadSequenceJson(db, id));
  });

  r.get('/v1/sequences', {
    config: { permission: 'sequences:read' },
    schema: {
      tags: ['sequences'],
      summary: 'List sequences',
      querystring: z.strictObject({ ...pageQuery, status: z.enum(['draft', 'active', 'paused', 'archived']).optional() }),
      response: { 200: pageSchema(sequenceSchema), ...errors },
    },
  }, async (req) => {
    const q = req.query;
    let query = db.selectFrom('sequences').selectAll();
    if (q.status) query = query.where('status', '=', q.status);
    const { rows, nextCursor } = await pageInCreationOrder(query, q);
    const steps = rows.length ? await db.selectFrom('sequence_steps').selectAll().where('sequence_id', 'in', rows.map((s) => s.id)).execute() : [];
    return { items: rows.map((s) => toSequenceJson(s, steps.filter((st) => st.sequence_id === s.id))), nextCursor };
  });

  r.get('/v1/sequences/:id', {
    config: { permission: 'sequences:read' },
    schema: { tags: ['sequences'], summary: 'Get a sequence with its live steps', params: idParams, response: { 200: sequenceSchema, ...errors } },
  }, async (req) => loadSequenceJson(db, req.params.id));

  r.patch('/v1/sequences/:id', {
    config: { permission: 'sequences:write', auditEntity: 'sequence' },
    schema: { tags: ['sequences'], summary: 'Edit a sequence; live enrollments use edited steps they have not reached', params: idParams, body: updateSequenceBody, response: { 200: sequenceSchema, ...errors } },
  }, async (req) => {
    const b = req.body;
    const id = req.params.id;
    await checkReferences(db, id, b);
    await db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('sequences').select('status').where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) throw notFound('Sequence', id);
      if (row.status === 'archived') throw conflict('SEQUENCE_ARCHIVED', 'The sequence is archived; it can no longer be edited.');
      await tx
        .updateTable('sequences')
        .set({
          ...(b.name !== undefined && { name: b.name }),
          ...(b.mailboxId !== undefined && { mailbox_id: b.mailboxId }),
          ...(b.sendWindow !== undefined && { send_window: JSON.stringify(b.sendWindow) }),
          ...(b.timeZone !== undefined && { time_zone: b.timeZone }),
          ...(b.unenrollOnReply !== undefined && { unenroll_on_reply: b.unenrollOnReply }),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .execute();
      if (b.steps) await saveSteps(tx, id, b.steps);
    });
    await signalEnrollments(temporal, await liveEnrollmentIdsOfSequence(db, id), { kind: 'gatesChanged' });
    return loadSequenceJson(db, id);
  });

  for (const action of ['activate', 'pause', 'resume', 'archive'] as const) {
    const { from, to } = TRANSITIONS[action];
    r.post(`/v1/sequences/:id/${action}`, {
      config: { permission: 'sequences:write', auditEntity: 'sequence' },
      schema: { tags: ['sequences'], summary: `${action[0]!.toUpperCase()}${action.slice(1)} a sequence (${from.join(' / ')} → ${to})`, params: idParams, response: { 200: sequenceSchema, ...errors } },
    }, async (req) => {
      const id = req.params.id;
      const changed = await db.transaction().execute(async (tx) => {
        const row = await tx.selectFrom('sequences').select('status').where('id', '=', id).forUpdate().executeTakeFirst();
        if (!row) throw notFound('Sequence', id);
        if (row.status === to) return false;
        if (!from.includes(row.status)) {
          throw conflict('INVALID_STATE_TRANSITION', `Cannot ${action} a sequence that is ${row.status}; ${action} applies to ${from.join(' or ')} sequences.`);
        }
        await tx.updateTable('sequences').set({ status: to, updated_at: new Date() }).where('id', '=', id).execute();
        return true;
      });
      if (changed) await wakeEnrollments(db, temporal, id, action);
      return loadSequenceJson(db, id);
    });
  }
}

/**
 * Pause / resume: every live enrollment re-checks now (holding with SEQUENCE_PAUSED, or continuing).
 * Archive: live enrollments end at once with SEQUENCE_ARCHIVED (in the database first, so nothing
 * more is claimed), rather than at their next due step days later.
 */
async function wakeEnrollments(db: Db, temporal: ApiDeps['temporal'], sequenceId: string, action: keyof typeof TRANSITIONS): Promise<void> {
  if (action === 'archive') {
    const ended = await endLiveEnrollments(db, { sequenceId }, 'SEQUENCE_ARCHIVED');
    await signalEnrollments(temporal, ended, { kind: 'end', reason: 'SEQUENCE_ARCHIVED' });
    return;
  }
  if (action === 'activate') return; // a draft has no enrollments
  await signalEnrollments(temporal, await liveEnrollmentIdsOfSequence(db, sequenceId), { kind: 'gatesChanged' });
}
