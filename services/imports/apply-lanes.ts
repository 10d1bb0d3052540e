/**
 * An import run applies its batches two at a time: while one batch writes, the next is read, decided
 * and written on a second connection, and commits right after it (applyFollowingBatch). PostgreSQL
 * then writes on two cores instead of one; each batch is still one transaction, and the cursor only
 * moves batch by batch, in order, so a crash anywhere resumes at the first uncommitted batch.
 *
 * Imports still apply one at a time (two files with one new address cannot both create it): the run
 * holds the import lock as a session lock on a connection of its own, released when the run ends or
 * its connection drops (a killed worker).
 */
import type { PoolClient } from 'pg';
import { poolOf, type Db } from '../../db/database';
import { applyFollowingBatch, applyNextBatch, IMPORT_APPLY_LOCK, type BatchOptions, type BatchOutcome, type BatchRead } from './apply-batch';

export interface RunOptions extends Omit<BatchOptions, 'lockHeld' | 'onRead'> {
  /** Asked before each further batch starts (the caller's time budget). */
  keepGoing: () => boolean;
}

interface Lane {
  /** Resolves when the batch's rows are read (null: it ended without reading any). */
  read: Promise<BatchRead | null>;
  done: Promise<BatchOutcome | null>;
}

function lane(run: (onRead: (r: BatchRead) => void) => Promise<BatchOutcome | null>): Lane {
  let onRead!: (r: BatchRead | null) => void;
  const read = new Promise<BatchRead | null>((resolve) => (onRead = resolve));
  const done = run(onRead).finally(() => onRead(null));
  // Awaited later (a follower may fail while the batch before it still writes): not an unhandled rejection meanwhile.
  done.catch(() => undefined);
  return { read, done };
}

/** Applies batches from the import's cursor until it ends, stops, or `keepGoing` says no. */
export async function applyBatches(db: Db, importId: string, opts: RunOptions): Promise<BatchOutcome> {
  return holdingImportLock(db, async () => {
    const batch: BatchOptions = { batchSize: opts.batchSize, erasureSecret: opts.erasureSecret, actor: opts.actor, lockHeld: true };
    let current = lane((onRead) => applyNextBatch(db, importId, { ...batch, onRead }));
    let committed: BatchOutcome | undefined;
    for (;;) {
      const read = await current.read;
      const previous = current.done as Promise<BatchOutcome>;
      const next = read && !read.finished && opts.keepGoing() ? lane((onRead) => applyFollowingBatch(db, importId, read.last, previous, { ...batch, onRead })) : undefined;
      let outcome: BatchOutcome | null;
      try {
        outcome = await current.done;
      } catch (err) {
        await next?.done.catch(() => undefined);
        throw err;
      }
      if (outcome === null || !next || outcome.state !== 'more') {
        await next?.done.catch(() => undefined);
        // A follower that could not commit leaves the cursor where the batch before it put it.
        return outcome ?? committed!;
      }
      committed = outcome;
      current = next;
    }
  });
}

async function holdingImportLock<T>(db: Db, work: () => Promise<T>): Promise<T> {
  const client: PoolClient = await poolOf(db).connect();
  let broken: Error | undefined;
  try {
    await client.query('select pg_advisory_lock($1)', [IMPORT_APPLY_LOCK]);
    return await work();
  } finally {
    await client.query('select pg_advisory_unlock($1)', [IMPORT_APPLY_LOCK]).catch((err: Error) => (broken = err));
    // A connection that failed to unlock is closed, not reused: closing it releases the lock.
    client.release(broken ?? undefined);
  }
}
