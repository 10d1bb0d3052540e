/**
 * The daily retention sweep: the Schedule `erasure-retention-sweep` starts `erasureRetentionSweepWorkflow`,
 * which removes retained financial references whose retainUntil has passed (and their stubs) and
 * appends a receipt per request. Input and result: a date and counts.
 */
export interface RetentionSweepInput {
  /** YYYY-MM-DD to sweep as of; default: the workflow's current date (UTC). */
  asOf?: string;
}

export interface RetentionSweepResult {
  asOf: string;
  recordsRemoved: number;
  stubsRemoved: number;
  receipts: number;
}

export const retentionSweepContract = {
  type: 'erasureRetentionSweepWorkflow',
  scheduleId: 'erasure-retention-sweep',
  /** The id of the runs the Schedule starts (Temporal appends the scheduled time). */
  scheduledWorkflowId: 'erasure-retention-sweep',
  actor: 'workflow:erasure-retention-sweep',
} as const;
