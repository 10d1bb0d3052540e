/**
 * The receipt hash chain: each receipt's hash is sha256(previous hash + canonical JSON of its body)
 * (RFC 8785 JSON canonicalisation), the first one chained to GENESIS_HASH. Editing any stored body
 * or hash breaks the chain from that receipt on, and verification names the first broken link.
 */
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('receipt body cannot be canonicalised');
  return text;
}

export function receiptHash(previousHash: string, body: unknown): string {
  return createHash('sha256').update(previousHash).update(canonicalJson(body)).digest('hex');
}

export interface StoredReceipt {
  seq: string;
  requestId: string;
  body: unknown;
  prevHash: string;
  hash: string;
}

export type ChainVerdict =
  | { ok: true; receipts: number; lastHash: string }
  | { ok: false; receipts: number; brokenAt: { seq: string; requestId: string; problem: 'hash_mismatch' | 'previous_hash_mismatch' }; checked: number };

/** Recomputes the chain in order; the first receipt whose link does not hold is named. */
export function verifyChain(receipts: Iterable<StoredReceipt>): ChainVerdict {
  let previous = GENESIS_HASH;
  let checked = 0;
  let total = 0;
  let broken: Extract<ChainVerdict, { ok: false }>['brokenAt'] | undefined;
  for (const r of receipts) {
    total++;
    if (broken) continue;
    if (r.prevHash !== previous) broken = { seq: r.seq, requestId: r.requestId, problem: 'previous_hash_mismatch' };
    else if (receiptHash(previous, r.body) !== r.hash) broken = { seq: r.seq, requestId: r.requestId, problem: 'hash_mismatch' };
    else {
      previous = r.hash;
      checked++;
    }
  }
  return broken ? { ok: false, receipts: total, brokenAt: broken, checked } : { ok: true, receipts: total, lastHash: previous };
}
