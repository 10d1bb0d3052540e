/**
 * The CRM sync loop's activities (named for the Temporal UI): begin a cycle (budget check), read the
 * change feeds, load an object in full, apply the pending queue, end the cycle. CRM failures are noted
 * on the cycle before they go back to the workflow (which retries transient ones); the org's API
 * usage and the CRM's clock are stored after each call.
 */
import { Context } from '@temporalio/activity';
import { requireSetting } from '../../domain/config';
import { SYNC_OBJECTS, type SyncObject } from '../../domain/sync/vocabulary';
import { SalesforceError, type SalesforceClient } from '../../integrations/salesforce';
import { signalEndedAfterCommit } from '../../services/contacts/lifecycle';
import type { ApplyContext, ApplyResult } from '../../services/sync/apply-records';
import { applyPendingBatch } from '../../services/sync/apply-pending';
import { loadConnector, type SyncConnector } from '../../services/sync/connector-store';
import { crmClientFor } from '../../services/sync/crm-client';
import { beginCycle, endCycle, markCycleKind, recordCycleError, storeCrmObservations, addCycleCounts } from '../../services/sync/cycles';
import { fullLoadStep } from '../../services/sync/full-load';
import { pushOutboundBatch } from '../../services/sync/outbound-push';
import { readChanges } from '../../services/sync/read-changes';
import { pruneHistory, replayBatch } from '../../services/sync/replay';
import { crmSyncContract, type BatchesResult, type BeginCycleResult, type CycleRef, type EndCycleInput, type PushBatchesResult, type ReadChangesResult } from '../../workflows/crm-sync/contract';
import type { ActivityDeps } from '../deps';
import { heartbeatWhile } from '../heartbeat';

/** One activity call works for about this long, then reports back (short histories, prompt cancellation). */
const CALL_BUDGET_MS = 20_000;

const activityLog = () => ({
  warn: (obj: object, msg: string) => Context.current().log.warn(msg, obj as Record<string, unknown>),
  error: (obj: object, msg: string) => Context.current().log.error(msg, obj as Record<string, unknown>),
});

function heartbeat(details?: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Called outside an activity (a test calling the function directly).
  }
}

export function createSyncActivities(deps: ActivityDeps) {
  const { db } = deps;
  const now = deps.clock ?? Date.now;

  async function connectorOf(ref: CycleRef): Promise<SyncConnector | undefined> {
    return loadConnector(db, ref.connectorId);
  }

  function applyContext(connector: SyncConnector, cycleId: string): ApplyContext {
    return { connectorId: connector.row.id, settings: connector.settings, cycleId, actor: crmSyncContract.actor(connector.row.id), erasureSecret: requireSetting(deps.config, 'ERASURE_HASH_SECRET') };
  }

  function clientOf(connector: SyncConnector): SalesforceClient {
    return crmClientFor(connector, { secretsKey: deps.config.SECRETS_KEY, ...deps.crmClient });
  }

  /** Runs `work` with the connector's client; stores what the CRM said about itself; notes a failure on the cycle. */
  async function withCrm<T>(ref: CycleRef, connector: SyncConnector, work: (client: SalesforceClient) => Promise<T>): Promise<T> {
    const client = clientOf(connector);
    try {
      return await work(client);
    } catch (err) {
      if (err instanceof SalesforceError) {
        await recordCycleError(db, ref.cycleId, { code: err.code, ...(err.errorCode ? { errorCode: err.errorCode } : {}) }).catch(() => undefined);
      }
      throw err;
    } finally {
      await storeCrmObservations(db, connector.row.id, { usage: client.usage(), serverClockSkewMs: client.serverClockSkewMs() }).catch(() => undefined);
    }
  }

  async function signalEnded(result: ApplyResult): Promise<void> {
    if (!deps.temporal) return;
    for (const { ids, reason } of result.ended) await signalEndedAfterCommit({ temporal: deps.temporal, log: activityLog() }, ids, reason);
  }

  return {
    async syncBeginCycle(ref: CycleRef): Promise<BeginCycleResult> {
      return beginCycle(db, ref);
    },

    /** Reads each object's change feeds into the pending queue; lists the objects that need a full load. */
    async syncReadChanges(ref: CycleRef): Promise<ReadChangesResult> {
      const connector = await connectorOf(ref);
      if (!connector) return { fullLoads: [], updated: 0, deleted: 0 };
      const out: ReadChangesResult = { fullLoads: [], updated: 0, deleted: 0 };
      await withCrm(ref, connector, async (client) => {
        const skew = Number(connector.row.server_clock_skew_ms);
        for (const object of SYNC_OBJECTS.filter((o) => connector.settings.objects.includes(o))) {
          heartbeat({ object });
          const before = client.stats().apiCalls;
          const outcome = await readChanges(db, client, { connectorId: connector.row.id, object, serverClockSkewMs: client.serverClockSkewMs() ?? skew, now });
          await addCycleCounts(db, ref.cycleId, { apiCalls: client.stats().apiCalls - before });
          if (outcome.kind === 'full_load' || outcome.kind === 'resync') out.fullLoads.push(object);
          if (outcome.kind === 'resync') await markCycleKind(db, ref.cycleId, 'resync', 'CURSOR_EXPIRED_RESYNC');
          if (outcome.kind === 'read') {
            out.updated += outcome.updated;
            out.deleted += outcome.deleted;
          }
        }
      });
      return out;
    },

    /** Reads one object in full (Bulk API 2.0), page by page, resuming after a crash at the last committed page. */
    async syncLoadSnapshot(input: CycleRef & { object: SyncObject }): Promise<{ state: 'more' | 'done'; records: number }> {
      const connector = await connectorOf(input);
      if (!connector) return { state: 'done', records: 0 };
      return withCrm(input, connector, (client) =>
        fullLoadStep(db, client, applyContext(connector, input.cycleId), input.object, {
          pageSize: deps.config.CRM_SYNC_BULK_PAGE_SIZE,
          budgetMs: CALL_BUDGET_MS,
          now,
          progress: (p) => heartbeat(p),
          onApplied: signalEnded,
        }),
      );
    },

    /** Applies pending batches (re-evaluations, then change-feed entries up to the cap) for up to CALL_BUDGET_MS. */
    async syncApplyBatches(ref: CycleRef): Promise<BatchesResult> {
      const connector = await connectorOf(ref);
      if (!connector) return { state: 'done', read: 0, applied: 0 };
      const until = now() + CALL_BUDGET_MS;
      return withCrm(ref, connector, async (client) => {
        const total: BatchesResult = { state: 'more', read: 0, applied: 0 };
        do {
          heartbeat({ read: total.read });
          const batch = await applyPendingBatch(db, client, applyContext(connector, ref.cycleId));
          total.state = batch.state;
          total.read += batch.read;
          total.applied += batch.result?.applied ?? 0;
          if (batch.result) await signalEnded(batch.result);
        } while (total.state === 'more' && now() < until);
        return total;
      });
    },

    /** Pushes the outbound queue (companies, contacts, email activity) for up to CALL_BUDGET_MS; heartbeats while CRM writes run. */
    async syncPushBatches(ref: CycleRef): Promise<PushBatchesResult> {
      const connector = await connectorOf(ref);
      if (!connector) return { state: 'done', decided: 0, pushed: 0, failed: 0 };
      const until = now() + CALL_BUDGET_MS;
      return withCrm(ref, connector, async (client) => {
        const total: PushBatchesResult = { state: 'more', decided: 0, pushed: 0, failed: 0 };
        do {
          const batch = await heartbeatWhile(() => pushOutboundBatch(db, client, applyContext(connector, ref.cycleId)));
          total.state = batch.state;
          total.decided += batch.decided;
          total.pushed += batch.pushed;
          total.failed += batch.failed;
          for (const r of batch.inbound) await signalEnded(r);
        } while (total.state === 'more' && now() < until);
        return total;
      });
    },

    /** A replay cycle: re-applies the window's records from stored snapshots, batch by batch (no CRM call). */
    async syncReplayBatches(ref: CycleRef): Promise<BatchesResult> {
      const connector = await connectorOf(ref);
      if (!connector) return { state: 'done', read: 0, applied: 0 };
      const until = now() + CALL_BUDGET_MS;
      const total: BatchesResult = { state: 'more', read: 0, applied: 0 };
      do {
        heartbeat({ applied: total.applied });
        const batch = await replayBatch(db, applyContext(connector, ref.cycleId));
        total.state = batch.state;
        if (batch.applied) {
          total.read += batch.applied.applied + batch.applied.skipped;
          total.applied += batch.applied.applied;
          await signalEnded(batch.applied);
        }
      } while (total.state === 'more' && now() < until);
      return total;
    },

    /** Earlier snapshots and the push log older than CRM_SYNC_SNAPSHOT_RETENTION days go. */
    async syncPruneHistory(ref: CycleRef): Promise<void> {
      await pruneHistory(db, ref.connectorId, deps.config.CRM_SYNC_SNAPSHOT_RETENTION);
    },

    async syncEndCycle(input: EndCycleInput): Promise<void> {
      await endCycle(db, { connectorId: input.connectorId, cycleId: input.cycleId, status: input.status, code: input.code ?? null, ...(input.deferMs ? { deferredUntil: new Date(now() + input.deferMs) } : {}) });
    },
  };
}
