import type { FastifyRequest } from 'fastify';
import { WRONG_KEY_MESSAGES } from '../../integrations/psa/errors';
import { verifyPsaWebhookKey } from '../../integrations/psa/key-check';
import type { AppConfig } from '../../domain/config';
import { ApiError } from '../errors';

/**
 * The PSA calls the CRM with `Authorization: Bearer <CRM_INTEGRATION_KEY>` (compared in constant
 * time). Returns the error to send, or undefined when the key is right.
 */
export function checkPsaKey(req: FastifyRequest, config: AppConfig): ApiError | undefined {
  const expected = config.CRM_INTEGRATION_KEY;
  if (!expected) return new ApiError(401, 'INTEGRATION_KEY_MISMATCH', 'CRM_INTEGRATION_KEY is not set in the CRM; set it, and the same value as CRM_INTEGRATION_KEY in the PSA.');
  if (verifyPsaWebhookKey(req.headers.authorization, expected)) return undefined;
  const missing = req.headers.authorization === undefined;
  return new ApiError(401, 'INTEGRATION_KEY_MISMATCH', missing ? 'Missing key: the PSA must send "Authorization: Bearer <CRM_INTEGRATION_KEY>".' : WRONG_KEY_MESSAGES.CRM_INTEGRATION_KEY);
}
