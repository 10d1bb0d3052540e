/**
 * GDPR erasure requests (compliance requests; admins read; operators read status by id). The row in
 * `erasure_requests` is what the API answers from; the workflow `erasure-<requestId>` does the work.
 * Acceptance writes the request under the covered contacts' locks (FOR UPDATE, the lock order of
 * db/lock-order.ts), so from then on the send claim sees it and sends nothing to the subject.
 */
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { getErasureRequest, liveRequestFor, retainedRecordsOf } from '../../db/erasure-requests';
import { pageInCreationOrder, type Page } from '../../db/pagination';
import type { ErasureRequestRow } from '../../db/schema-erasure';
import { requireSetting, type AppConfig } from '../../domain/config';
import { decideExtension, dueAtFor, effectiveDeadline } from '../../domain/erasure/deadline';
import { DEFAULT_JURISDICTION } from '../../domain/erasure/retention';
import { initialSteps, initialSystems, LIVE_ERASURE_STATUSES, type ErasureStatus, type ErasureStepRecord, type ErasureSystemRecord } from '../../domain/erasure/vocabulary';
import { normalizeEmail } from '../../domain/email-address';
import { erasureHash } from '../../domain/privacy/erasure-hash';
import { scrubPersonalData } from '../../domain/privacy/scrub';
import { erasureWorkflows } from '../../temporal/erasure-workflows';
import { erasureContract } from '../../workflows/erasure/contract';
import { actorLabel, type Actor } from '../actor';
import { conflict, invalidFields, ServiceError } from '../errors';
import { mergeSubject, sealSubject } from './subject';

export interface ErasureRequestInput {
  contactId?: string;
  email?: string;
  jurisdiction?: string;
  receivedAt?: Date;
  reference?: string;
}

export interface RetainedView {
  system: string;
  kind: string;
  reference: string;
  amount?: string;
  currency?: string;
  issuedAt?: string;
  legalBasis: string;
  retainUntil: string;
  removedAt?: string;
}

export interface ErasureRequestView {
  id: string;
  workflowId: string;
  status: ErasureStatus;
  code?: string;
  subject: { kind: 'contact' | 'email'; contactId?: string; contacts: number };
  jurisdiction: string;
  reference?: string;
  receivedAt: string;
  dueAt: string;
  extendedUntil?: string;
  overdue: boolean;
  steps: ErasureStepRecord[];
  systems: ErasureSystemRecord[];
  retained: RetainedView[];
  createdAt: string;
  completedAt?: string;
}

export interface ErasureListQuery {
  limit: number;
  cursor?: string;
  status?: ErasureStatus;
  overdue?: boolean;
}

const notFound = (id: string) => new ServiceError('not_found', 'ERASURE_NOT_FOUND', `Erasure request ${id} does not exist.`);

/** Overdue: not completed, and the deadline in force (the extension, if any) has passed. */
export const isOverdue = (row: Pick<ErasureRequestRow, 'status' | 'due_at' | 'extended_until'>, now: Date) =>
  row.status !== 'completed' && effectiveDeadline({ dueAt: row.due_at, extendedUntil: row.extended_until }).getTime() < now.getTime();

/** For /metrics: erasure requests past their deadline and not completed. */
export async function countOverdueErasures(db: Db, now: Date): Promise<number> {
  const row = await db
    .selectFrom('erasure_requests')
    .select(sql<string>`count(*)`.as('n'))
    .where('status', '!=', 'completed')
    .where(sql<boolean>`coalesce(extended_until, due_at) < ${now}`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Free text that must not carry personal data (a ticket number, a reason): an address in it is refused. */
function assertNoAddress(value: string | undefined, path: string): void {
  if (value !== undefined && scrubPersonalData(value) !== value.normalize('NFC')) {
    throw invalidFields([{ path, problem: 'must not contain an email address (personal data); use a ticket number', code: 'PERSONAL_DATA_IN_FIELD' }]);
  }
}

export function erasureService(deps: { db: Db; temporal: Client; config: AppConfig; now?: () => Date }) {
  const { db, config } = deps;
  const now = deps.now ?? (() => new Date());
  const workflows = erasureWorkflows(deps.temporal, config);
  const secret = () => requireSetting(config, 'ERASURE_HASH_SECRET');

  async function view(row: ErasureRequestRow): Promise<ErasureRequestView> {
    const retained = await retainedRecordsOf(db, row.id);
    return {
      id: row.id,
      workflowId: row.workflow_id,
      status: row.status,
      ...(row.code !== null && { code: row.code }),
      subject: { kind: row.subject_kind, ...(row.contact_id !== null && { contactId: row.contact_id }), contacts: row.contact_ids.length },
      jurisdiction: row.jurisdiction,
      ...(row.reference !== null && { reference: row.reference }),
      receivedAt: row.received_at.toISOString(),
      dueAt: row.due_at.toISOString(),
      ...(row.extended_until !== null && { extendedUntil: row.extended_until.toISOString() }),
      overdue: isOverdue(row, now()),
      steps: row.steps,
      systems: row.systems,
      retained: retained.map((r) => ({
        system: r.system,
        kind: r.kind,
        reference: r.reference,
        ...(r.amount !== null && { amount: r.amount }),
        ...(r.currency !== null && { currency: r.currency }),
        ...(r.issued_at !== null && { issuedAt: r.issued_at }),
        legalBasis: r.legal_basis,
        retainUntil: r.retain_until,
        ...(r.removed_at !== null && { removedAt: r.removed_at.toISOString() }),
      })),
      createdAt: row.created_at.toISOString(),
      ...(row.completed_at !== null && { completedAt: row.completed_at.toISOString() }),
    };
  }

  /** The subject's contacts: the one named (or every one with the address), contacts sharing its address, and tombstones merged into them. */
  async function coveredContacts(input: ErasureRequestInput): Promise<{ namedContactId: string | null; address: string | null; ids: string[] }> {
    let address = input.email ? normalizeEmail(input.email) : null;
    let namedContactId: string | null = null;
    if (input.contactId) {
      let contact = await db.selectFrom('contacts').select(['id', 'email_normalized', 'merged_into']).where('id', '=', input.contactId).executeTakeFirst();
      if (!contact) throw new ServiceError('not_found', 'SUBJECT_NOT_FOUND', `Contact ${input.contactId} does not exist.`);
      // A merged duplicate is the same person as its primary: erase the primary (and so the tombstone).
      for (let hops = 0; contact?.merged_into && hops < 10; hops++) {
        contact = await db.selectFrom('contacts').select(['id', 'email_normalized', 'merged_into']).where('id', '=', contact.merged_into).executeTakeFirst();
      }
      namedContactId = contact?.id ?? input.contactId;
      address = contact?.email_normalized ?? null;
    }
    const roots = new Set<string>(namedContactId ? [namedContactId] : []);
    if (address) {
      const same = await db.selectFrom('contacts').select('id').where('email_normalized', '=', address).execute();
      for (const c of same) roots.add(c.id);
    }
    const ids = new Set(roots);
    // Tombstones (merged duplicates) point at their primary; follow the chain down.
    let frontier = [...roots];
    while (frontier.length > 0) {
      const rows = await db.selectFrom('contacts').select('id').where('merged_into', 'in', frontier).execute();
      frontier = rows.map((r) => r.id).filter((id) => !ids.has(id));
      for (const id of frontier) ids.add(id);
    }
    return { namedContactId, address, ids: [...ids].sort() };
  }

  return {
    /** Accepts a request (202), or returns the subject's live one (200): never a second workflow. */
    async request(input: ErasureRequestInput, actor: Actor): Promise<{ view: ErasureRequestView; created: boolean }> {
      const at = now();
      if (input.receivedAt && input.receivedAt.getTime() > at.getTime()) throw invalidFields([{ path: 'body.receivedAt', problem: 'must not be in the future' }]);
      assertNoAddress(input.reference, 'body.reference');
      const subject = await coveredContacts(input);
      const hash = subject.address ? erasureHash(secret(), subject.address) : null;
      const live = await liveRequestFor(db, { hash, contactIds: subject.ids });
      if (live) {
        await workflows.ensureStarted(live.id, live.contact_id);
        return { view: await view(live), created: false };
      }
      const receivedAt = input.receivedAt ?? at;
      const requestId = randomUUID();
      // As given; check_books resolves it in the retention table (an unknown one gets the EU default).
      const jurisdiction = (input.jurisdiction ?? DEFAULT_JURISDICTION).toUpperCase();
      const inserted = await db.transaction().execute(async (tx) => {
        // Under the contacts' locks (the send claim's order): a send either committed before this, or sees the request.
        const contacts = subject.ids.length
          ? await tx.selectFrom('contacts').select(['id', 'email_normalized', 'first_name', 'last_name']).where('id', 'in', subject.ids).orderBy('id').forUpdate().execute()
          : [];
        const sealed = sealSubject(requireSetting(config, 'SECRETS_KEY'), mergeSubject({ addresses: [], names: [] }, { addresses: [subject.address, ...contacts.map((c) => c.email_normalized)], names: contacts.flatMap((c) => [c.first_name, c.last_name]) }));
        const row = await tx
          .insertInto('erasure_requests')
          .values({
            id: requestId,
            subject_kind: input.contactId ? 'contact' : 'email',
            contact_id: subject.namedContactId,
            subject_hash: hash,
            contact_ids: subject.ids,
            subject_sealed: sealed,
            jurisdiction,
            reference: input.reference ?? null,
            requested_by: actor.userId,
            status: 'running',
            steps: JSON.stringify(initialSteps()),
            systems: JSON.stringify(initialSystems()),
            received_at: receivedAt,
            due_at: dueAtFor(receivedAt),
            workflow_id: erasureContract.id(requestId),
          })
          // A concurrent request for the same subject won the race: answer with it instead.
          .onConflict((oc) => oc.doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!row) return undefined;
        for (const c of contacts) {
          await recordActivity(tx, { contactId: c.id, type: 'erasure_requested', data: { erasureRequestId: row.id }, actor: actorLabel(actor), dedupeKey: `erasure_requested:${row.id}:${c.id}` });
        }
        return row;
      });
      if (!inserted) {
        const winner = await liveRequestFor(db, { hash, contactIds: subject.ids });
        if (!winner) throw conflict('ERASURE_IN_PROGRESS', 'Another erasure request for this subject was being recorded; ask again.');
        return { view: await view(winner), created: false };
      }
      await workflows.ensureStarted(inserted.id, inserted.contact_id);
      return { view: await view(inserted), created: true };
    },

    async get(id: string): Promise<ErasureRequestView> {
      const row = await getErasureRequest(db, id);
      if (!row) throw notFound(id);
      return view(row);
    },

    async list(q: ErasureListQuery): Promise<Page<ErasureRequestView>> {
      let query = db.selectFrom('erasure_requests').selectAll();
      if (q.status) query = query.where('status', '=', q.status);
      if (q.overdue === true) query = query.where('status', '!=', 'completed').where(sql<boolean>`coalesce(extended_until, due_at) < ${now()}`);
      if (q.overdue === false) query = query.where(sql<boolean>`(status = 'completed' or coalesce(extended_until, due_at) >= ${now()})`);
      const page = await pageInCreationOrder(query, q);
      return { rows: await Promise.all(page.rows.map(view)), nextCursor: page.nextCursor };
    },

    /** GDPR Art. 12(3): once, within the first month, by 1 or 2 months (default 2). */
    async extend(id: string, body: { reason: string; months?: number }): Promise<ErasureRequestView> {
      assertNoAddress(body.reason, 'body.reason');
      const row = await db.transaction().execute(async (tx) => {
        const current = await tx.selectFrom('erasure_requests').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
        if (!current) throw notFound(id);
        if (current.status === 'completed') throw conflict('ERASURE_COMPLETED', 'The erasure already completed; there is no deadline left to extend.');
        const verdict = decideExtension({ receivedAt: current.received_at, dueAt: current.due_at, extendedUntil: current.extended_until }, body.months ?? 2, now());
        if (!verdict.ok) throw verdict.code === 'ERASURE_EXTENSION_INVALID' ? invalidFields([{ path: 'body.months', problem: verdict.message, code: verdict.code }], verdict.message) : conflict(verdict.code, verdict.message);
        return tx
          .updateTable('erasure_requests')
          .set({ extended_until: verdict.extendedUntil, extension_reason: body.reason, extended_at: now(), updated_at: new Date() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      return view(row);
    },

    isLive: (row: ErasureRequestRow) => (LIVE_ERASURE_STATUSES as readonly string[]).includes(row.status),
  };
}

export type ErasureService = ReturnType<typeof erasureService>;
