/**
 * Operators can terminate, cancel or reset workflows in the Temporal Web UI. The CRM's rows mirror
 * what the workflows do, so a workflow stopped from outside would leave its enrollment "active" (and
 * the contact un-enrollable: ALREADY_ENROLLED) or its promotion "running" forever. This activity finds
 * such executions through Temporal's visibility store and records them as ended, with
 * WORKFLOW_STOPPED and the execution status, so every read and rule sees the truth.
 */
import { LIVE_ENROLLMENT_STATUSES } from '../../domain/sequences/vocabulary';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { getPromotion } from '../../db/promotions';
import { PROMOTION_STEPS } from '../../domain/promotion/steps';
import { enrollmentContract } from '../../workflows/enrollment/contract';
import { promotionContract } from '../../workflows/promotion/contract';
import { reconcileContract, type ReconcileInput, type ReconcileResult } from '../../workflows/reconcile/contract';
import type { ActivityDeps } from '../deps';
import { systemClock } from '../../domain/clock';
import { outcomeActivities } from '../promotion/outcome';
import { endEnrollment } from '../sequences/enrollment-state';

/** Execution statuses that mean "stopped by someone or something other than the workflow's own logic". */
const STOPPED_STATUSES = ['Terminated', 'Canceled', 'TimedOut', 'Failed'] as const;

export function stoppedWorkflowsQuery(closedAfter: Date): string {
  const statuses = STOPPED_STATUSES.map((s) => `ExecutionStatus = "${s}"`).join(' OR ');
  const types = [enrollmentContract.type, promotionContract.type].map((t) => `WorkflowType = "${t}"`).join(' OR ');
  return `(${types}) AND (${statuses}) AND CloseTime > "${closedAfter.toISOString()}"`;
}

const statusName = (info: WorkflowExecutionInfo) => info.status.name.toLowerCase().replace('_', ' ');

export function createReconcileActivities(deps: ActivityDeps) {
  const { db } = deps;
  const now = deps.clock ?? systemClock;
  // Failing a promotion is the same bookkeeping the workflow does itself; it needs no PSA.
  const promotionOutcome = outcomeActivities({ db, psa: () => { throw new Error('the reconciliation never calls the PSA'); } });

  function temporalClient(): Client {
    if (!deps.temporal) throw ApplicationFailure.nonRetryable('The worker has no Temporal client for reconciliation (ActivityDeps.temporal).', 'RECONCILER_NOT_CONFIGURED');
    return deps.temporal;
  }

  async function endStoppedEnrollment(info: WorkflowExecutionInfo, enrollmentId: string): Promise<boolean> {
    const live = await db.selectFrom('enrollments').select('id').where('id', '=', enrollmentId).where('status', 'in', LIVE_ENROLLMENT_STATUSES).executeTakeFirst();
    if (!live) return false;
    await endEnrollment({ db, now }, {
      enrollmentId,
      reason: 'WORKFLOW_STOPPED',
      actor: reconcileContract.actor,
      data: { workflowId: info.workflowId, runId: info.runId, executionStatus: statusName(info) },
    });
    // A send claimed by the stopped run may or may not have reached the mailbox: never re-sent, shown as uncertain.
    await db
      .updateTable('email_sends')
      .set({ status: 'uncertain', reason_code: 'SEND_UNCERTAIN' })
      .where('enrollment_id', '=', enrollmentId)
      .where('status', '=', 'claimed')
      .execute();
    return true;
  }

  async function failStoppedPromotion(client: Client, info: WorkflowExecutionInfo, companyId: string): Promise<boolean> {
    const row = await getPromotion(db, companyId);
    if (!row || (row.status !== 'running' && row.status !== 'waiting_for_psa')) return false;
    // The row belongs to this run only if no newer run (a retry) took over.
    if (row.run_id !== null ? row.run_id !== info.runId : (await client.workflow.getHandle(info.workflowId).describe()).runId !== info.runId) return false;
    const step = row.steps.find((s) => s.status === 'running' || s.status === 'retrying')?.name ?? row.steps.find((s) => s.status === 'pending')?.name ?? PROMOTION_STEPS[PROMOTION_STEPS.length - 1]!;
    await promotionOutcome.promotionFail({
      companyId,
      attempt: row.attempt,
      step,
      code: 'WORKFLOW_STOPPED',
      detail: `The promotion workflow was ${statusName(info)} in Temporal during step ${step}, not through the CRM. POST /v1/companies/${companyId}/promotion/retry resumes it.`,
    });
    return true;
  }

  return {
    async reconcileStoppedWorkflows(input: ReconcileInput): Promise<ReconcileResult> {
      const client = temporalClient();
      const result: ReconcileResult = { examined: 0, enrollmentsEnded: [], promotionsFailed: [] };
      const query = stoppedWorkflowsQuery(new Date(now() - input.lookbackMs));
      for await (const info of client.workflow.list({ query })) {
        result.examined++;
        if (result.examined % 100 === 0) Context.current().heartbeat(result.examined);
        const enrollmentId = info.type === enrollmentContract.type ? enrollmentContract.idOf(info.workflowId) : undefined;
        const companyId = info.type === promotionContract.type ? promotionContract.idOf(info.workflowId) : undefined;
        if (enrollmentId && (await endStoppedEnrollment(info, enrollmentId))) result.enrollmentsEnded.push(enrollmentId);
        if (companyId && (await failStoppedPromotion(client, info, companyId))) result.promotionsFailed.push(companyId);
      }
      return result;
    },
  };
}
