/**
 * The reconciliation of workflows stopped outside the CRM (terminated, cancelled, timed out or failed
 * in the Temporal UI): one long-lived workflow, `reconcile-stopped-workflows`, that runs a pass, sleeps
 * durably for RECONCILE_EVERY and continues as new when its history grows: a single entry in the
 * Temporal UI instead of a new execution per minute. Workers start it (or re-time it) at boot.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export interface ReconcileInput {
  /** How far back to look for closed executions; overlapping runs are harmless (only live rows change). */
  lookbackMs: number;
}

export interface ReconcileResult {
  examined: number;
  enrollmentsEnded: string[];
  promotionsFailed: string[];
}

export interface ReconcilerInput extends ReconcileInput {
  /** The pause between passes (RECONCILE_EVERY). */
  everyMs: number;
}

export interface ReconcilerStatus {
  everyMs: number | null;
  passes: number;
  lastPass?: { atMs: number; examined: number; enrollmentsEnded: number; promotionsFailed: number };
}

export const reconcileContract = {
  type: 'stoppedWorkflowsReconcilerWorkflow',
  id: () => 'reconcile-stopped-workflows',
  /** Actor of the activity-log entries the reconciliation writes. */
  actor: 'workflow:reconcile-stopped-workflows',
  signals: {
    /** A worker with another RECONCILE_EVERY re-times the loop; `null` ("off") ends it. */
    configure: defineSignal<[{ everyMs: number | null }]>('configureReconciler'),
  },
  queries: {
    status: defineQuery<ReconcilerStatus>('reconcilerStatus'),
  },
  /**
   * Before the loop, a Temporal Schedule of this id started one short execution of
   * `legacyOneShotType` per tick. Workers delete that Schedule; the one-shot type stays registered so
   * runs it started before an upgrade still finish.
   */
  legacyScheduleId: 'reconcile-stopped-workflows',
  legacyOneShotType: 'reconcileStoppedWorkflowsWorkflow',
} as const;
