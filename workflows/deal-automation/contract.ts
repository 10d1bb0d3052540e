/**
 * The deal-automation workflow's contract: `deal-<dealId>`, one per deal whose pipeline has rules,
 * alive while something can still happen (an event to process or an inactivity timer). Signals carry
 * nothing: the database (stage history, last activity, rules) is the truth the workflow's activities
 * read, so a repeated or lost wake-up never changes what fires. Ids only, never personal data.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { searchAttributes } from '../search-attributes';

export interface DealAutomationInput {
  dealId: string;
  /** Carried across continue-as-new: the stage-history entries already processed. */
  carry?: { afterHistoryId: string; firings: number };
}

export interface DealAutomationResult {
  /** Why the workflow ended: nothing left to wait for (no inactivity rule applies, or the deal closed or is gone). */
  ended: 'idle' | 'deal_gone';
  firings: number;
}

export interface DealAutomationStatus {
  dealId: string;
  afterHistoryId: string;
  firings: number;
  /** When the next inactivity rule is due, if any. */
  nextDueAt?: string;
}

const ID_PREFIX = 'deal-';

export const dealAutomationContract = {
  type: 'dealAutomationWorkflow',
  id: (dealId: string) => `${ID_PREFIX}${dealId}`,
  idOf: (workflowId: string) => (workflowId.startsWith(ID_PREFIX) && workflowId.length > ID_PREFIX.length ? workflowId.slice(ID_PREFIX.length) : undefined),
  searchAttributes: { DealId: searchAttributes.DealId },
  signals: {
    /** The deal changed (stage, activity) or its pipeline's rules did: look again. */
    dealChanged: defineSignal('dealChanged'),
  },
  queries: {
    status: defineQuery<DealAutomationStatus>('dealAutomationStatus'),
  },
} as const;
