/**
 * What the API, the worker and the workflow agree on: workflow type, signal and query names,
 * input and result shapes, and the CompanyId search attribute. Ids only: no personal data.
 */
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { parseIsoDuration } from '../sequences/duration';
import type { PromotionStepName } from './steps';

export const PROMOTION_WORKFLOW_TYPE = 'promotionWorkflow';
export const PSA_CLIENT_CREATED_SIGNAL = 'psaClientCreated';
export const PROMOTION_PROGRESS_QUERY = 'promotionProgress';

/** How often the workflow asks the PSA while it waits for the webhook (the fallback for a lost webhook). */
export const CONFIRMATION_POLL_INTERVAL_MS = 10_000;

export const companyIdSearchAttribute = defineSearchAttributeKey('CompanyId', SearchAttributeType.KEYWORD);

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

/** PSA_CONFIRMATION_TIMEOUT (ISO-8601, e.g. PT5M) in ms; a bad value names the variable. */
export function parseConfirmationTimeout(value: string): { ok: true; ms: number } | { ok: false; error: string } {
  const parsed = parseIsoDuration(value);
  if (!parsed.ok) return { ok: false, error: `PSA_CONFIRMATION_TIMEOUT: ${parsed.error}` };
  if (parsed.ms < 1000) return { ok: false, error: `PSA_CONFIRMATION_TIMEOUT: "${value}" is shorter than one second` };
  return parsed;
}
