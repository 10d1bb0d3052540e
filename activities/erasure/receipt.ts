/**
 * Step 8, receipt: the tamper-evident record (request id, the subject only as a keyed hash, each
 * step's time and outcome, the systems, the retained references), appended to the receipts' hash
 * chain. The request completes, and its sealed working copy of the subject is cleared. Also the
 * bookkeeping of a failed run.
 */
import { recordActivity } from '../../db/activity-log';
import { requireErasureRequest, retainedRecordsOf, updateErasureStep } from '../../db/erasure-requests';
import type { ErasureStepName } from '../../domain/erasure/vocabulary';
import { appendReceipt } from '../../services/erasure/receipts';
import { erasureContract } from '../../workflows/erasure/contract';
import { stepRecorder, type ErasureDeps, type StepInput } from './step-context';

export function receiptActivities(deps: ErasureDeps) {
  return {
    async erasureReceipt({ requestId }: StepInput): Promise<{ receiptSeq: string }> {
      const step = stepRecorder(deps, requestId, 'receipt');
      const { row, done } = await step.begin();
      if (done && row.receipt_seq !== null) return { receiptSeq: row.receipt_seq };
      const retained = await retainedRecordsOf(deps.db, requestId);
      const at = new Date(deps.now()).toISOString();
      const steps = row.steps.map((s) => (s.name === 'receipt' ? { ...s, status: 'completed' as const, endedAt: at } : s));
      const body = {
        requestId,
        workflowId: row.workflow_id,
        subject: { kind: row.subject_kind, addressHash: row.subject_hash, contactIds: row.contact_ids },
        jurisdiction: row.jurisdiction,
        reference: row.reference,
        receivedAt: row.received_at.toISOString(),
        dueAt: row.due_at.toISOString(),
        extendedUntil: row.extended_until?.toISOString() ?? null,
        completedAt: at,
        steps: steps.map((s) => ({ name: s.name, status: s.status, startedAt: s.startedAt ?? null, endedAt: s.endedAt ?? null, code: s.code ?? null })),
        systems: row.systems.map((s) => ({ system: s.system, status: s.status, code: s.code ?? null })),
        retained: retained.map((r) => ({ system: r.system, kind: r.kind, reference: r.reference, amount: r.amount, currency: r.currency, issuedAt: r.issued_at, legalBasis: r.legal_basis, retainUntil: r.retain_until })),
      };
      const receipt = await deps.db.transaction().execute(async (tx) => {
        const written = await appendReceipt(tx, { requestId, kind: 'erasure', dedupeKey: `erasure:${requestId}`, body });
        await tx
          .updateTable('erasure_requests')
          .set({ status: 'completed', code: null, receipt_seq: written.seq, subject_sealed: null, completed_at: new Date(deps.now()), updated_at: new Date(), steps: JSON.stringify(steps.map((s) => (s.name === 'receipt' ? { ...s, detail: `Receipt #${written.seq}, hash ${written.hash}.` } : s))) })
          .where('id', '=', requestId)
          .execute();
        return written;
      });
      for (const contactId of row.contact_ids) {
        await recordActivity(deps.db, { contactId, type: 'erasure_completed', reasonCode: 'ERASED', data: { erasureRequestId: requestId, receiptSeq: receipt.seq }, actor: erasureContract.actor(requestId), dedupeKey: `erasure_completed:${requestId}:${contactId}` });
      }
      return { receiptSeq: receipt.seq };
    },

    async erasureFail({ requestId, step, code, detail }: StepInput & { step: ErasureStepName; code: string; detail: string }): Promise<void> {
      const row = await requireErasureRequest(deps.db, requestId);
      if (row.status === 'completed') return;
      await updateErasureStep(deps.db, requestId, step, { status: 'failed', endedAt: new Date(deps.now()).toISOString(), code, detail }, { status: 'failed', code });
    },
  };
}
