import { bearerToken, secretsEqual } from '../shared/http-wire';

/**
 * Checks the key the PSA presented on a webhook. `presented` may be the raw Authorization header
 * ("Bearer <key>") or the bare key. An empty expected key never matches (misconfiguration must not open the door).
 */
export function verifyPsaWebhookKey(presented: string | undefined, expected: string): boolean {
  if (presented === undefined || expected === '') return false;
  const token = bearerToken(presented) ?? presented;
  return secretsEqual(token, expected);
}
