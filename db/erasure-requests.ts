/**
 * Erasure requests in PostgreSQL: the truth the API answers from (steps, systems, retained
 * references), written by the API at acceptance and by the erasure workflow's idempotent activities.
 * Step and system updates lock the row, so concurrent activities (propagate runs one per system)
 * never lose each other's writes.
 */
import type { Db } from './database';
import type { Tx } from './lock-order';
import type { ErasureRequestRow, RetainedRecordRow } from './schema-erasure';
import { LIVE_ERASURE_STATUSES, type ErasureStatus, type ErasureStepName, type ErasureStepRecord, type ErasureSystem, type ErasureSystemRecord } from '../domain/erasure/vocabulary';

export async function getErasureRequest(db: Db, id: string): Promise<ErasureRequestRow | undefined> {
  return db.selectFrom('erasure_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function requireErasureRequest(db: Db, id: string): Promise<ErasureRequestRow> {
  const row = await getErasureRequest(db, id);
  if (!row) throw new Error(`erasure request ${id} does not exist`);
  return row;
}

/** The live request for a subject (by address hash or by the contact it named), if any. */
export async function liveRequestFor(db: Db, subject: { hash: string | null; contactIds: readonly string[] }): Promise<ErasureRequestRow | undefined> {
  const { hash, contactIds } = subject;
  if (hash === null && contactIds.length === 0) return undefined;
  return db
    .selectFrom('erasure_requests')
    .selectAll()
    .where('status', 'in', LIVE_ERASURE_STATUSES)
    .where((eb) => eb.or([...(hash !== null ? [eb('subject_hash', '=', hash)] : []), ...(contactIds.length > 0 ? [eb('contact_id', 'in', [...contactIds])] : [])]))
    .orderBy('created_at')
    .executeTakeFirst();
}

export type StepPatch = Partial<Omit<ErasureStepRecord, 'name'>> & { code?: string | undefined; detail?: string | undefined };

/** Applies a change to one step (and optionally the request), under the row lock. Returns the new row. */
export async function updateErasureStep(db: Db, requestId: string, step: ErasureStepName, patch: StepPatch, request: { status?: ErasureStatus; code?: string | null; completed?: boolean } = {}): Promise<ErasureRequestRow> {
  return db.transaction().execute(async (tx) => {
    const row = await lockRequest(tx, requestId);
    const steps = row.steps.map((s) => (s.name === step ? withPatch(s, patch) : s));
    return tx
      .updateTable('erasure_requests')
      .set({
        steps: JSON.stringify(steps),
        updated_at: new Date(),
        ...(request.status !== undefined && { status: request.status }),
        ...(request.code !== undefined && { code: request.code }),
        ...(request.completed && { completed_at: new Date() }),
      })
      .where('id', '=', requestId)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/**
 * Records one system's outcome; the request is `waiting` while any system waits, `running` otherwise
 * (never overriding a final status).
 */
export async function updateErasureSystem(db: Db, requestId: string, system: ErasureSystemRecord): Promise<ErasureRequestRow> {
  return db.transaction().execute(async (tx) => {
    const row = await lockRequest(tx, requestId);
    const systems = row.systems.map((s) => (s.system === system.system ? clean(system) : s));
    const live = row.status === 'running' || row.status === 'waiting';
    const status: ErasureStatus = !live ? row.status : systems.some((s) => s.status === 'waiting') ? 'waiting' : 'running';
    const steps = row.steps.map((s) => (s.name === 'propagate' && s.status !== 'completed' && s.status !== 'failed' ? withPatch(s, { status: status === 'waiting' ? 'waiting' : 'running' }) : s));
    return tx
      .updateTable('erasure_requests')
      .set({ systems: JSON.stringify(systems), steps: JSON.stringify(steps), status, updated_at: new Date() })
      .where('id', '=', requestId)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export function stepOf(row: ErasureRequestRow, name: ErasureStepName): ErasureStepRecord {
  return row.steps.find((s) => s.name === name) ?? { name, status: 'pending' };
}

export function systemOf(row: ErasureRequestRow, system: ErasureSystem): ErasureSystemRecord {
  return row.systems.find((s) => s.system === system) ?? { system, status: 'pending' };
}

export async function retainedRecordsOf(db: Db, requestId: string): Promise<RetainedRecordRow[]> {
  return db.selectFrom('erasure_retained_records').selectAll().where('request_id', '=', requestId).orderBy('issued_at').orderBy('reference').execute();
}

async function lockRequest(tx: Tx, requestId: string): Promise<ErasureRequestRow> {
  const row = await tx.selectFrom('erasure_requests').selectAll().where('id', '=', requestId).forUpdate().executeTakeFirst();
  if (!row) throw new Error(`erasure request ${requestId} does not exist`);
  return row;
}

function withPatch(step: ErasureStepRecord, patch: StepPatch): ErasureStepRecord {
  const next: ErasureStepRecord = { ...step, ...patch };
  return clean(next);
}

/** Drops undefined fields (JSON would drop them anyway; the view compares cleanly). */
function clean<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
