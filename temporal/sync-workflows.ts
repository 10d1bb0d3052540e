/**
 * Starting, signalling and stopping `crm-sync-<connectorId>` loops (the connector service). Signals go
 * with signal-with-start: a loop that is not running (never started, or stopped in the Temporal UI)
 * is started by the signal instead of the signal being lost. Ids only.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { AppConfig } from '../domain/config';
import { crmSyncContract } from '../workflows/crm-sync/contract';
import type { crmSyncWorkflow } from '../workflows/crm-sync/workflow';
import { temporalUnavailable, withTemporalDeadline } from './deadline';

const SAFE = 'the connector is saved; the change reaches the sync loop with the next request that signals it (e.g. POST /v1/connectors/:id/sync-now).';

export type SyncSignal = keyof typeof crmSyncContract.signals;
export type SyncWorkflows = ReturnType<typeof syncWorkflows>;

export function syncWorkflows(temporal: Client, config: Pick<AppConfig, 'TEMPORAL_TASK_QUEUE'>) {
  const options = (connectorId: string) => ({
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId: crmSyncContract.id(connectorId),
    args: [{ connectorId }] as [{ connectorId: string }],
    typedSearchAttributes: [{ key: crmSyncContract.searchAttributes.ConnectorId, value: connectorId }],
  });

  async function signal(connectorId: string, name: SyncSignal): Promise<void> {
    try {
      await withTemporalDeadline(temporal, () =>
        temporal.workflow.signalWithStart<typeof crmSyncWorkflow, []>(crmSyncContract.type, { ...options(connectorId), signal: crmSyncContract.signals[name], signalArgs: [] }),
      );
    } catch (err) {
      throw temporalUnavailable(err, SAFE);
    }
  }

  return {
    /** Starts the loop (a running one is kept): the first cycle runs at once. */
    start: (connectorId: string) => signal(connectorId, 'syncNow'),
    signal,
    /** Stops the loop (connector deleted); a loop that is not running is not an error. */
    async stop(connectorId: string): Promise<void> {
      try {
        await withTemporalDeadline(temporal, () => temporal.workflow.getHandle(crmSyncContract.id(connectorId)).cancel());
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return;
        throw temporalUnavailable(err, 'the connector was not deleted; try again.');
      }
    },
    async describe(connectorId: string): Promise<{ running: boolean; runId?: string }> {
      try {
        const d = await withTemporalDeadline(temporal, () => temporal.workflow.getHandle(crmSyncContract.id(connectorId)).describe());
        return { running: d.status.name === 'RUNNING', runId: d.runId };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { running: false };
        throw temporalUnavailable(err, 'the connector status is read from the database.');
      }
    },
  };
}
