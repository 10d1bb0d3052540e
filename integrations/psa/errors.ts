/**
 * Typed PSA errors. `name` is set explicitly: Temporal uses it as the ApplicationFailure type.
 * Messages name keys and statuses, never personal data.
 */
import type { ReasonCode } from '../../domain/reason-codes';

export type WrongKey = 'PSA_INTEGRATION_KEY' | 'CRM_INTEGRATION_KEY';

export const WRONG_KEY_MESSAGES: Record<WrongKey, string> = {
  PSA_INTEGRATION_KEY:
    'PSA_INTEGRATION_KEY in the CRM does not match the key configured in the PSA; fix PSA_INTEGRATION_KEY in the CRM configuration.',
  CRM_INTEGRATION_KEY:
    "CRM_INTEGRATION_KEY in the PSA does not match CRM_INTEGRATION_KEY in the CRM; fix CRM_INTEGRATION_KEY in the PSA's environment.",
};

/** Network error, timeout or 5xx, after the client's own retries. */
export class PsaUnreachableError extends Error {
  override readonly name = 'PsaUnreachableError';
  readonly code = 'PSA_UNREACHABLE' satisfies ReasonCode;
  constructor(
    message: string,
    readonly attempts: number,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 401/403: the PSA rejected PSA_INTEGRATION_KEY. Not retryable: someone must fix the configuration. */
export class PsaAuthError extends Error {
  override readonly name = 'PsaAuthError';
  readonly code = 'INTEGRATION_KEY_MISMATCH' satisfies ReasonCode;
  readonly wrongKey: WrongKey = 'PSA_INTEGRATION_KEY';
  constructor(readonly status: number) {
    super(`PSA answered ${status}: ${WRONG_KEY_MESSAGES.PSA_INTEGRATION_KEY}`);
  }
}

/** Any other 4xx, or a 2xx whose body does not match the API schema. Not retryable. */
export class PsaRequestError extends Error {
  override readonly name = 'PsaRequestError';
  readonly code = 'PSA_REQUEST_REJECTED' satisfies ReasonCode;
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
  }
}
