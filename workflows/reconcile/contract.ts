/**
 * The reconciliation of workflows stopped outside the CRM (terminated, cancelled, timed out or failed
 * in the Temporal UI): what it is called and what it takes and returns.
 */
export interface ReconcileInput {
  /** How far back to look for closed executions; overlapping runs are harmless (only live rows change). */
  lookbackMs: number;
}

export interface ReconcileResult {
  examined: number;
  enrollmentsEnded: string[];
  promotionsFailed: string[];
}

export const reconcileContract = {
  type: 'reconcileStoppedWorkflowsWorkflow',
  /** The Temporal Schedule that starts it (visible under Schedules in the Temporal UI). */
  scheduleId: 'reconcile-stopped-workflows',
  id: () => 'reconcile-stopped-workflows',
  /** Actor of the activity-log entries the reconciliation writes. */
  actor: 'schedule:reconcile-stopped-workflows',
} as const;
