import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from '../../db/database';
import { LIVE_STATUSES } from '../../db/enrollments';
import { contactExists, enrolledSequenceIds, loadDiagnosticFacts } from '../../db/sequence-diagnostics';
import { evaluateDeliveryRules } from '../../domain/sequences/diagnostic-rules';
import { evaluateSequenceRules } from '../../domain/sequences/rules';
import { notFound, standardErrors } from '../errors';
import { idParams } from '../schemas/common';
import { contactDiagnosticsSchema, diagnosticsQuery, sequenceDiagnosticsSchema, type SequenceDiagnosticsJson } from '../schemas/diagnostics';
import type { ApiDeps } from '../types';

const errors = standardErrors;

/**
 * Every sequence rule for one contact and sequence with pass/fail, code and detail, evaluated by the
 * same domain code the enrollment workflow runs (evaluateSequenceRules over loadSequenceRuleFacts):
 * the 'send' phase while an enrollment is live, the 'enroll' phase otherwise.
 */
async function diagnose(db: Db, contactId: string, sequenceId: string, now: Date): Promise<SequenceDiagnosticsJson | undefined> {
  const facts = await loadDiagnosticFacts(db, contactId, sequenceId, now);
  if (!facts) return undefined;
  const e = facts.enrollment;
  const phase = e && LIVE_STATUSES.includes(e.status) ? 'send' : 'enroll';
  const rules = [...evaluateSequenceRules(facts.ruleFacts, phase), ...evaluateDeliveryRules(facts.delivery, now.getTime())];
  return {
    contactId,
    sequenceId,
    phase,
    rules,
    enrollment: e ? { id: e.id, status: e.status, waitingFor: e.waiting_for, nextSendAt: e.next_send_at?.toISOString() ?? null, endedReason: e.ended_reason } : null,
  };
}

export function diagnosticsRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/contacts/:id/diagnostics', {
    config: { permission: 'contacts:read' },
    schema: {
      tags: ['contacts'],
      summary: 'Why a contact does or does not get sequence email: every rule with pass/fail and its code, per sequence (one sequence with ?sequenceId=)',
      params: idParams,
      querystring: diagnosticsQuery,
      response: { 200: sequenceDiagnosticsSchema.or(contactDiagnosticsSchema), ...errors },
    },
  }, async (req) => {
    const contactId = req.params.id;
    if (!(await contactExists(db, contactId))) throw notFound('Contact', contactId);
    const now = new Date();
    if (req.query.sequenceId) {
      const one = await diagnose(db, contactId, req.query.sequenceId, now);
      if (!one) throw notFound('Sequence', req.query.sequenceId);
      return one;
    }
    const sequences: SequenceDiagnosticsJson[] = [];
    for (const sequenceId of await enrolledSequenceIds(db, contactId)) {
      const d = await diagnose(db, contactId, sequenceId, now);
      if (d) sequences.push(d);
    }
    return { contactId, sequences };
  });
}
