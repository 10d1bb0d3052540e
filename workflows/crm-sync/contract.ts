/**
 * The CRM sync loop's contract: one long-lived workflow per connector, `crm-sync-<connectorId>`
 * (search attribute ConnectorId), started, signalled and stopped by the connector service
 * (temporal/sync-workflows.ts). Inputs, results and queries hold ids, counts and states only.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SyncCycleKind, SyncObject } from '../../domain/sync/vocabulary';
import { searchAttributes } from '../search-attributes';

export interface CrmSyncInput {
  connectorId: string;
  /** Cycles run by earlier runs of this loop (continue-as-new carries it). */
  cyclesRun?: number;
  /** A sync-now signal arrived just before continue-as-new: run at once. */
  runNow?: boolean;
}

export interface CrmSyncStatus {
  state: 'starting' | 'running' | 'waiting' | 'deferred' | 'paused' | 'auth_failed';
  cyclesRun: number;
  lastCycleId: string | null;
  lastCode: string | null;
}

export interface CycleRef {
  connectorId: string;
  cycleId: string;
}

export type BeginCycleResult =
  | { action: 'gone' }
  | { action: 'paused' | 'auth_failed'; cadenceMs: number }
  | { action: 'deferred'; deferMs: number; cadenceMs: number }
  | { action: 'run'; kind: SyncCycleKind; cadenceMs: number; quotaBackoffMs: number };

export interface ReadChangesResult {
  /** Objects to read in full this cycle (initial load, or a resync: CURSOR_EXPIRED_RESYNC). */
  fullLoads: SyncObject[];
  updated: number;
  deleted: number;
}

export interface BatchesResult {
  state: 'more' | 'done';
  read: number;
  applied: number;
}

export interface PushBatchesResult {
  state: 'more' | 'done';
  /** Outbound queue entries decided, CRM writes that succeeded, CRM writes refused. */
  decided: number;
  pushed: number;
  failed: number;
}

export interface EndCycleInput extends CycleRef {
  status: 'completed' | 'failed' | 'deferred';
  code?: string;
  deferMs?: number;
}

const ID_PREFIX = 'crm-sync-';

/** patched() id of the two-way loop (outbound push, replay cycles, pruning); crm-sync-cadence replays without it. */
export const TWO_WAY_PATCH = 'crm-sync-two-way';

export const crmSyncContract = {
  type: 'crmSyncWorkflow',
  id: (connectorId: string) => `${ID_PREFIX}${connectorId}`,
  /** Activity-log actor of what the loop writes. */
  actor: (connectorId: string) => `workflow:${ID_PREFIX}${connectorId}`,
  searchAttributes: { ConnectorId: searchAttributes.ConnectorId },
  signals: {
    syncNow: defineSignal('crmSyncNow'),
    pause: defineSignal('crmSyncPause'),
    resume: defineSignal('crmSyncResume'),
    settingsChanged: defineSignal('crmSyncSettingsChanged'),
  },
  queries: {
    status: defineQuery<CrmSyncStatus>('crmSyncStatus'),
  },
  /** Activity failure types that retrying cannot fix (the loop records them and waits). */
  nonRetryableErrorTypes: ['SalesforceAuthError', 'SalesforceQuotaError', 'SalesforceRejectedError', 'SalesforceCursorExpiredError', 'ServiceError', 'ZodError'],
} as const;
