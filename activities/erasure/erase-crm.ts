/**
 * Step 4, erase_crm: the subject's personal data leaves every classified table and column (see
 * services/erasure/erase-subject.ts); contacts with retained references stay as anonymised stubs,
 * the others are deleted. Step 5, suppress: the normalised address is kept only as a keyed hash.
 */
import { erasureHash } from '../../domain/privacy/erasure-hash';
import { requireSetting } from '../../domain/config';
import { eraseSubject } from '../../services/erasure/erase-subject';
import { erasureContract } from '../../workflows/erasure/contract';
import { stepRecorder, subjectOf, type ErasureDeps, type StepInput } from './step-context';

export function eraseCrmActivities(deps: ErasureDeps) {
  return {
    async erasureEraseCrm({ requestId }: StepInput): Promise<void> {
      const step = stepRecorder(deps, requestId, 'erase_crm');
      const { row, done } = await step.begin();
      if (done) return;
      const subject = subjectOf(deps, row);
      const stubs = await deps.db.selectFrom('erasure_retained_records').select('contact_id').distinct().where('request_id', '=', requestId).where('removed_at', 'is', null).execute();
      const r = await eraseSubject(deps.db, { contactIds: row.contact_ids, addresses: subject.addresses, stubIds: stubs.map((s) => s.contact_id) });
      await step.completed(
        `${r.contactsDeleted} contact row(s) deleted, ${r.stubs} kept as anonymised stub(s); ${r.rowsChanged} row(s) cleared or redacted and ${r.rowsDeleted} row(s) deleted in other tables; counts, dates and reason codes kept.`,
        r.stubs > 0 ? 'FINANCIAL_RECORDS_RETAINED' : undefined,
      );
    },

    async erasureSuppress({ requestId }: StepInput): Promise<void> {
      const step = stepRecorder(deps, requestId, 'suppress');
      const { row, done } = await step.begin();
      if (done) return;
      const subject = subjectOf(deps, row);
      const secret = requireSetting(deps.config, 'ERASURE_HASH_SECRET');
      const hashes = [...new Set(subject.addresses.map((a) => erasureHash(secret, a)))];
      if (hashes.length > 0) {
        await deps.db
          .insertInto('suppressions')
          .values(hashes.map((h) => ({ address_hash: h, address_normalized: null, reason: 'erased' as const, note: null, created_by: erasureContract.actor(requestId) })))
          .onConflict((oc) => oc.column('address_hash').doNothing())
          .execute();
      }
      await step.completed(hashes.length > 0 ? `${hashes.length} address(es) suppressed as a keyed hash (reason erased), never in clear.` : 'The subject has no address; nothing to suppress.', hashes.length > 0 ? 'ERASED' : undefined);
    },
  };
}
