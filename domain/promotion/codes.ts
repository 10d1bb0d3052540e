/**
 * Reason codes of the promotion, beyond the rule catalogue's (domain/reason-codes.ts).
 * Stable API like every reason code: add, never rename.
 */
import { ReasonCodes, type ReasonCode } from '../reason-codes';

export const PromotionOnlyCodes = {
  COMPANY_NOT_FOUND: 'The company no longer exists.',
  COMPANY_ALREADY_LINKED: 'The company is already linked to another PSA client.',
  COMPANY_INACTIVE: 'The company is inactive; set it to prospect or active before promoting it.',
  PSA_REQUIREMENTS_MISSING: 'The company lacks data the PSA requires for a client (a name).',
  PSA_NOT_CONFIGURED: 'The PSA integration is not configured (PSA_API_URL, PSA_INTEGRATION_KEY, CRM_INTEGRATION_KEY).',
  PSA_REQUEST_REJECTED: 'The PSA rejected a request from the CRM.',
  PSA_CLIENT_LINKED_ELSEWHERE: 'The PSA client id is already linked to another CRM company.',
  INVALID_EMAIL: 'The PSA rejected the contact email address; the contact was skipped.',
} as const;

export type PromotionCode = ReasonCode | keyof typeof PromotionOnlyCodes;

export function isPromotionCode(value: string | undefined): value is PromotionCode {
  return value !== undefined && (Object.prototype.hasOwnProperty.call(ReasonCodes, value) || Object.prototype.hasOwnProperty.call(PromotionOnlyCodes, value));
}

export function describePromotionCode(code: PromotionCode): string {
  return code in PromotionOnlyCodes ? PromotionOnlyCodes[code as keyof typeof PromotionOnlyCodes] : ReasonCodes[code as ReasonCode];
}
