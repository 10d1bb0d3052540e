/**
 * Enrollments (reps). Reads come from the database (the workflow mirrors its state there). Pause /
 * resume are signals the workflow acts on; unenroll ends the enrollment in the database first (so no
 * later claim can send) and then signals the workflow to stop.
 */
import type { Client } from '@temporalio/client';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { loadEnrollmentViews, type EnrollmentView } from '../../db/enrollment-view';
import { endLiveEnrollments } from '../../db/enrollments';
import { isLiveEnrollment } from '../../domain/sequences/vocabulary';
import { signalEnrollments } from '../../temporal/enrollment-workflows';
import { actorLabel, type Actor } from '../actor';
import { requireContactExists } from '../contacts/contacts';
import { assertMayWriteContact } from '../contacts/ownership';
import { conflict, notFound } from '../errors';

export async function getEnrollment(db: Db, id: string): Promise<EnrollmentView> {
  const [view] = await loadEnrollmentViews(db, { ids: [id] });
  if (!view) throw notFound('Enrollment', id);
  return view;
}

export async function listEnrollmentsOfContact(db: Db, contactId: string): Promise<EnrollmentView[]> {
  await requireContactExists(db, contactId);
  return loadEnrollmentViews(db, { contactId });
}

export async function requireSequenceExists(db: Db, id: string): Promise<void> {
  const row = await db.selectFrom('sequences').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Sequence', id);
}

/** Pause or resume: the workflow records it within moments; the view returned is the current one. */
/** Changing an enrollment is a write on its contact: reps change their own or unowned contacts' enrollments. */
async function assertMayChange(db: Db, actor: Actor, contactId: string): Promise<void> {
  const contact = await db.selectFrom('contacts').select(['id', 'owner_id']).where('id', '=', contactId).executeTakeFirst();
  if (contact) assertMayWriteContact(actor, contact);
}

export async function signalPauseOrResume(deps: { db: Db; temporal: Client }, id: string, action: 'pause' | 'resume', actor: Actor): Promise<EnrollmentView> {
  const view = await getEnrollment(deps.db, id);
  await assertMayChange(deps.db, actor, view.contactId);
  if (!isLiveEnrollment(view.status)) throw conflict('ENROLLMENT_NOT_LIVE', `The enrollment is ${view.status}; only a live enrollment can be ${action}d.`);
  await signalEnrollments(deps.temporal, [view.id], { kind: action });
  return view;
}

export async function unenroll(deps: { db: Db; temporal: Client }, id: string, actor: Actor): Promise<EnrollmentView> {
  const before = await getEnrollment(deps.db, id);
  await assertMayChange(deps.db, actor, before.contactId);
  if (!isLiveEnrollment(before.status)) throw conflict('ENROLLMENT_NOT_LIVE', `The enrollment is already ${before.status}.`);
  const ended = await endLiveEnrollments(deps.db, { enrollmentId: before.id }, 'UNENROLLED');
  if (ended.length > 0) {
    await recordActivity(deps.db, {
      contactId: before.contactId,
      type: 'unenrolled',
      reasonCode: 'UNENROLLED',
      data: { enrollmentId: before.id, sequenceId: before.sequenceId },
      actor: actorLabel(actor),
      dedupeKey: `unenrolled:${before.id}`,
    });
    await signalEnrollments(deps.temporal, ended, { kind: 'end', reason: 'UNENROLLED' });
  }
  return getEnrollment(deps.db, before.id);
}
