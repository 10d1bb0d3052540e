/**
 * Step 2, stop_sequences: every live enrollment of the subject's contacts ends with ERASED through the
 * contact lifecycle (lock order of the send claim, logged, signalled after commit). The workflow then
 * waits until each enrollment workflow has closed (erasureOpenEnrollmentWorkflows), and terminates the
 * ones that do not close within the bound (erasureTerminateEnrollmentWorkflows), recording each.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { recordActivity } from '../../db/activity-log';
import { endContactEnrollments } from '../../services/contacts/lifecycle';
import { mapLimit } from '../../temporal/map-limit';
import { enrollmentContract } from '../../workflows/enrollment/contract';
import { erasureContract, type StopSequencesResult } from '../../workflows/erasure/contract';
import { activityLog } from './activity-log';
import { stepRecorder, type ErasureDeps, type StepInput } from './step-context';

export function stopSequencesActivities(deps: ErasureDeps) {
  const actor = (requestId: string) => erasureContract.actor(requestId);

  async function subjectEnrollments(contactIds: readonly string[]): Promise<string[]> {
    if (contactIds.length === 0) return [];
    const rows = await deps.db.selectFrom('enrollments').select('id').where('contact_id', 'in', [...contactIds]).orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  return {
    async erasureStopSequences({ requestId }: StepInput): Promise<StopSequencesResult> {
      const step = stepRecorder(deps, requestId, 'stop_sequences');
      const { row, done } = await step.begin();
      const all = await subjectEnrollments(row.contact_ids);
      if (done) return { endedEnrollmentIds: [], enrollmentIds: all };
      const ended: string[] = [];
      for (const contactId of row.contact_ids) {
        const ids = await endContactEnrollments({ db: deps.db, temporal: deps.temporal(), log: activityLog() }, contactId, 'ERASED', { type: 'unenrolled', actor: actor(requestId), data: { erasureRequestId: requestId } });
        ended.push(...ids);
      }
      await step.progress(ended.length > 0 ? { code: 'ACTIVE_SEQUENCES', detail: `${ended.length} live enrollment(s) ended (ERASED); waiting for their workflows to close.` } : { detail: 'No live enrollments; checking that no enrollment workflow still runs.' });
      return { endedEnrollmentIds: ended, enrollmentIds: all };
    },

    /** The enrollments among `enrollmentIds` whose workflows are still running. */
    async erasureOpenEnrollmentWorkflows({ enrollmentIds }: StepInput & { enrollmentIds: string[] }): Promise<string[]> {
      const temporal = deps.temporal();
      const open = await mapLimit(enrollmentIds, 16, async (id) => {
        try {
          const d = await temporal.workflow.getHandle(enrollmentContract.id(id)).describe();
          return d.status.name === 'RUNNING' ? id : null;
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return null;
          throw err;
        }
      });
      return open.filter((id): id is string => id !== null);
    },

    /** The bound passed: a stuck or wedged enrollment workflow is terminated by the erasure itself, and recorded. */
    async erasureTerminateEnrollmentWorkflows({ requestId, enrollmentIds }: StepInput & { enrollmentIds: string[] }): Promise<number> {
      const temporal = deps.temporal();
      let terminated = 0;
      for (const id of enrollmentIds) {
        try {
          await temporal.workflow.getHandle(enrollmentContract.id(id)).terminate(`GDPR erasure ${requestId}: the enrollment was ended (ERASED) but its workflow did not close in time.`);
          terminated++;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
        const owner = await deps.db.selectFrom('enrollments').select('contact_id').where('id', '=', id).executeTakeFirst();
        await recordActivity(deps.db, { contactId: owner?.contact_id ?? null, type: 'unenrolled', reasonCode: 'ENROLLMENT_TERMINATED', data: { enrollmentId: id, erasureRequestId: requestId }, actor: actor(requestId), dedupeKey: `erasure:${requestId}:terminated:${id}` });
      }
      return terminated;
    },

    async erasureSequencesStopped({ requestId, terminated }: StepInput & { terminated: number }): Promise<void> {
      const step = stepRecorder(deps, requestId, 'stop_sequences');
      const { row } = await step.begin();
      // Counted from the database: a retried step still reports what the first attempt ended.
      const ended = row.contact_ids.length === 0 ? 0 : (await deps.db.selectFrom('enrollments').select('id').where('contact_id', 'in', row.contact_ids).where('ended_reason', '=', 'ERASED').execute()).length;
      const detail = `${ended} live enrollment(s) ended (ERASED)${terminated > 0 ? `; ${terminated} enrollment workflow(s) did not close in time and were terminated` : ''}; every enrollment workflow is closed.`;
      await step.completed(detail, terminated > 0 ? 'ENROLLMENT_TERMINATED' : ended > 0 ? 'ACTIVE_SEQUENCES' : undefined);
    },
  };
}
