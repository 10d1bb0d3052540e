import { Context } from '@temporalio/activity';
import { parseIsoDuration } from '../../domain/duration';
import { requireSetting } from '../../domain/config';
import { signalEndedAfterCommit } from '../../services/contacts/lifecycle';
import { applyMerge, failMerge } from '../../services/merges/apply-merge';
import { mergeContract, type MergeApplyResult, type MergeInput } from '../../workflows/merge/contract';
import type { ActivityDeps } from '../deps';

/** The activity's logger in the shape the Temporal helpers take (object first, then the message). */
const activityLog = () => ({
  warn: (obj: object, msg: string) => Context.current().log.warn(msg, obj as Record<string, unknown>),
  error: (obj: object, msg: string) => Context.current().log.error(msg, obj as Record<string, unknown>),
});

/** The merge workflow's activities: the merge transaction, the end signals after its commit, failure bookkeeping. */
export function createMergeActivities(deps: ActivityDeps) {
  return {
    async mergeApply({ mergeId }: MergeInput): Promise<MergeApplyResult> {
      const window = parseIsoDuration(deps.config.MERGE_UNDO_WINDOW);
      return applyMerge(deps.db, mergeId, { erasureSecret: requireSetting(deps.config, 'ERASURE_HASH_SECRET'), undoWindowMs: window.ok ? window.ms : 0, actor: mergeContract.actor(mergeId) });
    },

    /** Tells the workflows of enrollments the merge ended (MERGED) to stop; the database already ended them. */
    async mergeSignalEnded({ enrollmentIds }: { mergeId: string; enrollmentIds: string[] }): Promise<void> {
      if (!deps.temporal) throw new Error('mergeSignalEnded needs a Temporal client in the activity deps');
      await signalEndedAfterCommit({ temporal: deps.temporal, log: activityLog() }, enrollmentIds, 'MERGED');
    },

    async mergeFail({ mergeId, code, message }: { mergeId: string; code: string; message: string }): Promise<void> {
      await failMerge(deps.db, mergeId, code, message);
    },
  };
}
