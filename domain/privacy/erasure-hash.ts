import { createHmac } from 'node:crypto';
import { normalizeEmail } from '../email-address';

/**
 * The keyed hash an erased address is kept as (suppressions.address_hash, reason `erased`): HMAC-SHA256
 * of the normalised address under ERASURE_HASH_SECRET, hex. The erasure workflow writes it; imports and
 * merges compute it to refuse an erased subject (ERASED) without the address ever being stored in clear.
 */
export function erasureHash(secret: string, address: string): string {
  return createHmac('sha256', secret).update(normalizeEmail(address)).digest('hex');
}
