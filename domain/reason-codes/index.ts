/**
 * Reason codes: stable API (JSON responses, activity log, docs). Add codes; never rename them.
 * One `as const` object per feature, each code with its meaning; `GET /v1/reason-codes` is generated
 * from REASON_CODES, and `ReasonCode` is the typed union every recorder accepts.
 */
import { ACCESS_CODES } from './access';
import { DEAL_CODES } from './deals';
import { DUPLICATE_CODES } from './duplicates';
import { ERASURE_CODES } from './erasure';
import { MATCHING_CODES } from './matching';
import { OPERATIONS_CODES } from './operations';
import { PROMOTION_CODES } from './promotion';
import { SEQUENCE_CODES } from './sequences';
import { SYNC_CODES } from './sync';

export { ACCESS_CODES, DEAL_CODES, DUPLICATE_CODES, ERASURE_CODES, MATCHING_CODES, OPERATIONS_CODES, PROMOTION_CODES, SEQUENCE_CODES, SYNC_CODES };

export const REASON_CODES = { ...SEQUENCE_CODES, ...PROMOTION_CODES, ...OPERATIONS_CODES, ...ERASURE_CODES, ...ACCESS_CODES, ...DEAL_CODES, ...DUPLICATE_CODES, ...SYNC_CODES, ...MATCHING_CODES } as const;

export type ReasonCode = keyof typeof REASON_CODES;
export type SequenceCode = keyof typeof SEQUENCE_CODES;


export function isReasonCode(value: string | null | undefined): value is ReasonCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(REASON_CODES, value);
}

export function describeReasonCode(code: ReasonCode): string {
  return REASON_CODES[code];
}
