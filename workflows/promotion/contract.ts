/**
 * The promotion workflow's contract, shared by the workflow, its activities and the API (which starts
 * it and delivers the PSA's webhook as a signal). Ids only: no personal data.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PromotionStepName } from '../../domain/promotion/steps';
import { searchAttributes } from '../search-attributes';

export interface PromotionInput {
  companyId: string;
  /** 1 for the first run, +1 per retry; stale runs cannot overwrite a newer attempt's status. */
  attempt: number;
  /** PSA_CONFIRMATION_TIMEOUT in ms, parsed once by the API. */
  confirmationTimeoutMs: number;
}

export interface PromotionResult {
  status: 'completed';
  psaClientId: string;
  contactsSynced: number;
  contactsSkipped: number;
}

export interface PsaClientCreatedSignal {
  psaClientId: string;
}

export interface PromotionProgress {
  attempt: number;
  step: PromotionStepName;
  waitingForPsa: boolean;
  psaClientId?: string;
}

/** How often the workflow asks the PSA while it waits for the webhook (the fallback for a lost webhook). */
export const CONFIRMATION_POLL_INTERVAL_MS = 10_000;

const ID_PREFIX = 'promotion-';

export const promotionContract = {
  type: 'promotionWorkflow',
  id: (companyId: string) => `${ID_PREFIX}${companyId}`,
  /** The company id inside a workflow id, or undefined for another workflow's id. */
  idOf: (workflowId: string) => (workflowId.startsWith(ID_PREFIX) && workflowId.length > ID_PREFIX.length ? workflowId.slice(ID_PREFIX.length) : undefined),
  searchAttributes: { CompanyId: searchAttributes.CompanyId },
  signals: {
    /** The PSA's client.created webhook. */
    psaClientCreated: defineSignal<[PsaClientCreatedSignal]>('psaClientCreated'),
  },
  queries: {
    progress: defineQuery<PromotionProgress>('promotionProgress'),
  },
} as const;
