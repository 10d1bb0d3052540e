/** Contacts: create, read, update, delete. Deleting ends live enrollments through the contact lifecycle. */
import { pageActivities, recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { pageInCreationOrder, type Page } from '../../db/pagination';
import type { ActivityRow, ContactRow } from '../../db/schema';
import type { Consent, ContactStatus } from '../../domain/contacts/vocabulary';
import { normalizeEmail } from '../../domain/email-address';
import { actorLabel, type Actor } from '../actor';
import { assertMayWriteContact, ownerAfterWrite } from './ownership';
import { conflict, invalidFields, notFound, type FieldProblem } from '../errors';
import { endLiveEnrollmentsOfContact, signalEndedAfterCommit, type LifecycleDeps } from './lifecycle';
import { assertAddressNotErased, assertContactNotErased } from '../erasure/erased-subject';

/** What contact writes check besides the fields: an erased subject is never created again (ERASED). */
export interface ContactWriteGuard {
  erasureSecret: string;
}

export interface ContactFields {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  companyId?: string | null;
  status?: ContactStatus;
  consent?: Consent;
  timeZone?: string | null;
  ownerId?: string | null;
}

export interface ContactListQuery {
  limit: number;
  cursor?: string;
  companyId?: string;
  status?: ContactStatus;
  email?: string;
}

/** References must point at existing rows; a dangling id is a 400 naming the field. */
async function checkReferences(db: Db, b: Pick<ContactFields, 'companyId' | 'ownerId'>): Promise<void> {
  const details: FieldProblem[] = [];
  if (b.companyId) {
    const c = await db.selectFrom('companies').select(['id', 'merged_into']).where('id', '=', b.companyId).executeTakeFirst();
    if (!c) details.push({ path: 'body.companyId', problem: 'no company with this id' });
    else if (c.merged_into) details.push({ path: 'body.companyId', problem: `the company was merged into ${c.merged_into}: use that company` });
  }
  if (b.ownerId) {
    const u = await db.selectFrom('users').select('id').where('id', '=', b.ownerId).executeTakeFirst();
    if (!u) details.push({ path: 'body.ownerId', problem: 'no user with this id' });
  }
  if (details.length) throw invalidFields(details);
}

/** A rep's new contact is theirs unless they name another owner. */
export async function createContact(db: Db, b: ContactFields, actor: Actor, guard: ContactWriteGuard): Promise<ContactRow> {
  await checkReferences(db, b);
  await assertAddressNotErased(db, guard.erasureSecret, b.email);
  const owner = b.ownerId !== undefined ? b.ownerId : actor.role === 'rep' ? actor.userId : null;
  const row = await db
    .insertInto('contacts')
    .values({
      email: b.email ?? null,
      email_normalized: b.email ? normalizeEmail(b.email) : null,
      first_name: b.firstName ?? null,
      last_name: b.lastName ?? null,
      company_id: b.companyId ?? null,
      status: b.status,
      consent: b.consent,
      time_zone: b.timeZone ?? null,
      owner_id: owner,
      external_ids: '{}',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordActivity(db, { contactId: row.id, companyId: row.company_id, type: 'contact_created', actor: actorLabel(actor) });
  return row;
}

export function listContacts(db: Db, q: ContactListQuery): Promise<Page<ContactRow>> {
  // Merged duplicates (tombstones) are not listed; GET /v1/contacts/:id still answers with mergedInto.
  let query = db.selectFrom('contacts').selectAll().where('merged_into', 'is', null);
  if (q.companyId) query = query.where('company_id', '=', q.companyId);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.email) query = query.where('email_normalized', '=', normalizeEmail(q.email));
  return pageInCreationOrder(query, q);
}

export async function getContact(db: Db, id: string): Promise<ContactRow> {
  const row = await db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Contact', id);
  return row;
}

export async function requireContactExists(db: Db, id: string): Promise<void> {
  const row = await db.selectFrom('contacts').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Contact', id);
}

/** Reps change (and reassign) only their own or unowned contacts; changing an unowned one claims it. */
export async function updateContact(db: Db, id: string, b: ContactFields, actor: Actor, guard: ContactWriteGuard): Promise<ContactRow> {
  const before = await getContact(db, id);
  if (before.merged_into) throw conflict('MERGED', `Contact ${id} was merged into ${before.merged_into}; change that contact instead.`);
  assertMayWriteContact(actor, before);
  await assertContactNotErased(db, id);
  await checkReferences(db, b);
  await assertAddressNotErased(db, guard.erasureSecret, b.email);
  const owner = b.ownerId !== undefined ? b.ownerId : ownerAfterWrite(actor, before);
  const row = await db
    .updateTable('contacts')
    .set({
      ...(b.email !== undefined && { email: b.email, email_normalized: b.email ? normalizeEmail(b.email) : null }),
      ...(b.firstName !== undefined && { first_name: b.firstName }),
      ...(b.lastName !== undefined && { last_name: b.lastName }),
      ...(b.companyId !== undefined && { company_id: b.companyId }),
      ...(b.status !== undefined && { status: b.status }),
      ...(b.consent !== undefined && { consent: b.consent }),
      ...(b.timeZone !== undefined && { time_zone: b.timeZone }),
      ...(owner !== before.owner_id && { owner_id: owner }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound('Contact', id);
  // Field names only: the values may be personal data.
  await recordActivity(db, { contactId: row.id, companyId: row.company_id, type: 'contact_updated', data: { fields: Object.keys(b), ...(b.ownerId === undefined && owner !== before.owner_id && { claimedBy: owner }) }, actor: actorLabel(actor) });
  return row;
}

/** Deletes the contact; its live enrollments end first (CONTACT_DELETED) under the claim's lock order. */
export async function deleteContact(deps: LifecycleDeps, id: string, actor: Actor): Promise<void> {
  assertMayWriteContact(actor, await getContact(deps.db, id));
  const ended = await deps.db.transaction().execute(async (tx) => {
    const endedIds = await endLiveEnrollmentsOfContact(tx, id, 'CONTACT_DELETED');
    const row = await tx.deleteFrom('contacts').where('id', '=', id).returning(['id', 'company_id']).executeTakeFirst();
    if (!row) throw notFound('Contact', id);
    await recordActivity(tx, { contactId: row.id, companyId: row.company_id, type: 'contact_deleted', data: { endedEnrollmentIds: endedIds }, actor: actorLabel(actor) });
    return endedIds;
  });
  await signalEndedAfterCommit(deps, ended, 'CONTACT_DELETED');
}

/** The contact's activity log, newest first. */
export async function contactActivities(db: Db, contactId: string, page: { limit: number; cursor?: string }): Promise<Page<ActivityRow>> {
  await requireContactExists(db, contactId);
  return pageActivities(db, { contactId }, page);
}
