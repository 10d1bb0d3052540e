/**
 * Step 7, verify: searches every classified column for the subject's addresses (and its names in the
 * rows that were its own), and the Temporal histories of the subject's workflows (ContactId of each of
 * its contacts, and this erasure), decoded through the payload codec. A hit fails the step naming
 * where (table.column or workflow id), never the value.
 */
import { PERSONAL_COLUMNS } from '../../domain/privacy/personal-columns';
import { dataConverter } from '../../temporal/data-converter';
import { historiesOf } from '../../temporal/history-text';
import { findSubjectInDatabase } from '../../services/erasure/find-subject';
import type { ErasureSubject } from '../../services/erasure/subject';
import { heartbeatWhile } from '../heartbeat';
import { stepFailure, stepRecorder, subjectOf, type ErasureDeps, type StepInput } from './step-context';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Case-insensitive: addresses anywhere (also URL-encoded), names as whole words. */
export function subjectMatcher(subject: ErasureSubject): (text: string) => boolean {
  const parts = [
    ...subject.addresses.flatMap((a) => [escape(a), escape(encodeURIComponent(a))]),
    ...subject.names.filter((n) => n.trim().length >= 2).map((n) => `(?<![\\p{L}\\p{N}])${escape(n.trim())}(?![\\p{L}\\p{N}])`),
  ];
  if (parts.length === 0) return () => false;
  const re = new RegExp(parts.join('|'), 'iu');
  return (text) => re.test(text);
}

export function verifyActivity(deps: ErasureDeps) {
  return async function erasureVerify({ requestId }: StepInput): Promise<{ histories: number }> {
    const step = stepRecorder(deps, requestId, 'verify');
    const { row, done } = await step.begin();
    if (done) return { histories: 0 };
    const subject = subjectOf(deps, row);
    const hits = await heartbeatWhile(() => findSubjectInDatabase(deps.db, subject, row.contact_ids));

    const matches = subjectMatcher(subject);
    const codecs = dataConverter(deps.config).payloadCodecs ?? [];
    const quoted = row.contact_ids.map((id) => `"${id}"`).join(', ');
    const query = row.contact_ids.length > 0 ? `ContactId IN (${quoted}) OR ErasureRequestId = "${requestId}"` : `ErasureRequestId = "${requestId}"`;
    let histories = 0;
    await heartbeatWhile(async () => {
      for await (const h of historiesOf(deps.temporal(), query, codecs)) {
        histories++;
        if (matches(h.text)) hits.push(`Temporal history of ${h.workflowId} (run ${h.runId})`);
      }
    });
    if (hits.length > 0) {
      const detail = `The subject's address or name was found after erasure in: ${hits.join('; ')}.`;
      await step.progress({ code: 'PERSONAL_DATA_FOUND', detail });
      throw stepFailure('PERSONAL_DATA_FOUND', detail);
    }
    await step.completed(`Not found in the classified columns of ${Object.keys(PERSONAL_COLUMNS).length} tables, nor in ${histories} Temporal histor${histories === 1 ? 'y' : 'ies'} of the subject's workflows.`);
    return { histories };
  };
}
