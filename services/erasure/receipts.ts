/**
 * Erasure receipts: appended to one hash chain (domain/erasure/receipt-chain.ts) under a transaction
 * advisory lock, so concurrent erasures link one after another; an append with a used dedupe key
 * (a retried activity) returns the receipt already written.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import type { Tx } from '../../db/lock-order';
import type { ErasureReceiptRow } from '../../db/schema-erasure';
import type { ReceiptKind } from '../../domain/erasure/vocabulary';
import { GENESIS_HASH, receiptHash, verifyChain, type ChainVerdict, type StoredReceipt } from '../../domain/erasure/receipt-chain';

/** Any constant: the one advisory lock that serialises appends to the chain. */
const CHAIN_LOCK = 9_417_001;

export async function appendReceipt(tx: Tx, r: { requestId: string; kind: ReceiptKind; dedupeKey: string; body: Record<string, unknown> }): Promise<ErasureReceiptRow> {
  await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(tx);
  const existing = await tx.selectFrom('erasure_receipts').selectAll().where('dedupe_key', '=', r.dedupeKey).executeTakeFirst();
  if (existing) return existing;
  const last = await tx.selectFrom('erasure_receipts').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const prevHash = last?.hash ?? GENESIS_HASH;
  // Hash exactly what is stored (JSON: no undefined, no functions); the canonical form makes jsonb's key order irrelevant.
  const body = JSON.parse(JSON.stringify(r.body)) as Record<string, unknown>;
  return tx
    .insertInto('erasure_receipts')
    .values({ request_id: r.requestId, kind: r.kind, dedupe_key: r.dedupeKey, body: JSON.stringify(body), prev_hash: prevHash, hash: receiptHash(prevHash, body) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface ReceiptView {
  seq: string;
  requestId: string;
  kind: ReceiptKind;
  body: Record<string, unknown>;
  prevHash: string;
  hash: string;
  createdAt: string;
}

export const toReceiptView = (r: ErasureReceiptRow): ReceiptView => ({ seq: r.seq, requestId: r.request_id, kind: r.kind, body: r.body, prevHash: r.prev_hash, hash: r.hash, createdAt: r.created_at.toISOString() });

export async function receiptsOf(db: Db, requestId: string): Promise<ErasureReceiptRow[]> {
  return db.selectFrom('erasure_receipts').selectAll().where('request_id', '=', requestId).orderBy('seq').execute();
}

/** Recomputes the whole chain in seq order (streamed in pages) and names the first broken link. */
export async function verifyReceiptChain(db: Db): Promise<ChainVerdict> {
  async function* all(): AsyncGenerator<StoredReceipt> {
    let after = '0';
    for (;;) {
      const page = await db.selectFrom('erasure_receipts').select(['seq', 'request_id', 'body', 'prev_hash', 'hash']).where(sql<boolean>`seq > ${after}::bigint`).orderBy('seq').limit(1000).execute();
      for (const r of page) yield { seq: r.seq, requestId: r.request_id, body: r.body, prevHash: r.prev_hash, hash: r.hash };
      if (page.length < 1000) return;
      after = page[page.length - 1]!.seq;
    }
  }
  const receipts: StoredReceipt[] = [];
  for await (const r of all()) receipts.push(r);
  return verifyChain(receipts);
}
