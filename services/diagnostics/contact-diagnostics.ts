/**
 * Every sequence rule for one contact and sequence with pass/fail, code and detail, evaluated by the
 * same domain code the enrollment workflow runs (evaluateSequenceRules over loadSequenceRuleFacts):
 * the 'send' phase while an enrollment is live, the 'enroll' phase otherwise.
 */
import type { Db } from '../../db/database';
import { contactExists, enrolledSequenceIds, loadDiagnosticFacts } from '../../db/sequence-diagnostics';
import type { ReasonCode } from '../../domain/reason-codes';
import { evaluateDeliveryRules, type DiagnosticRule } from '../../domain/sequences/diagnostic-rules';
import { evaluateSequenceRules } from '../../domain/sequences/rules';
import { isLiveEnrollment, type EnrollmentStatus } from '../../domain/sequences/vocabulary';
import { notFound } from '../errors';

export interface SequenceDiagnostics {
  contactId: string;
  sequenceId: string;
  phase: 'send' | 'enroll';
  rules: DiagnosticRule[];
  enrollment: { id: string; status: EnrollmentStatus; waitingFor: string[]; nextSendAt: string | null; endedReason: ReasonCode | null } | null;
}

async function diagnose(db: Db, contactId: string, sequenceId: string, now: Date): Promise<SequenceDiagnostics | undefined> {
  const facts = await loadDiagnosticFacts(db, contactId, sequenceId, now);
  if (!facts) return undefined;
  const e = facts.enrollment;
  const phase = e && isLiveEnrollment(e.status) ? 'send' : 'enroll';
  const rules = [...evaluateSequenceRules(facts.ruleFacts, phase), ...evaluateDeliveryRules(facts.delivery, now.getTime())];
  return {
    contactId,
    sequenceId,
    phase,
    rules,
    enrollment: e ? { id: e.id, status: e.status, waitingFor: e.waiting_for, nextSendAt: e.next_send_at?.toISOString() ?? null, endedReason: e.ended_reason } : null,
  };
}

/** One sequence (by id), or every sequence the contact is or was in. */
export async function diagnoseContact(db: Db, contactId: string, sequenceId: string | undefined, now: Date): Promise<SequenceDiagnostics | { contactId: string; sequences: SequenceDiagnostics[] }> {
  if (!(await contactExists(db, contactId))) throw notFound('Contact', contactId);
  if (sequenceId) {
    const one = await diagnose(db, contactId, sequenceId, now);
    if (!one) throw notFound('Sequence', sequenceId);
    return one;
  }
  const sequences: SequenceDiagnostics[] = [];
  for (const id of await enrolledSequenceIds(db, contactId)) {
    const d = await diagnose(db, contactId, id, now);
    if (d) sequences.push(d);
  }
  return { contactId, sequences };
}
