/** Unsubscribe by a user (API) or by the contact (the one-click link in every email). */
import { findSendById } from '../../db/email-sends';
import { actorLabel, type Actor } from '../actor';
import { notFound } from '../errors';
import { signalEndedAfterCommit, type LifecycleDeps } from './lifecycle';
import { applyOptOut } from './opt-out';

export interface UnsubscribeResult {
  contactId: string;
  outcome: 'applied' | 'unchanged';
  suppressed: boolean;
  endedEnrollmentIds: string[];
}

export async function unsubscribeContact(deps: LifecycleDeps, contactId: string, actor: Actor): Promise<UnsubscribeResult> {
  const result = await applyOptOut(deps.db, { contactId, kind: 'unsubscribe', actor: actorLabel(actor), data: { source: 'api' } });
  if (result.outcome === 'no_contact') throw notFound('Contact', contactId);
  await signalEndedAfterCommit(deps, result.endedEnrollmentIds, 'UNSUBSCRIBED');
  return { contactId, outcome: result.outcome === 'applied' ? 'applied' : 'unchanged', suppressed: result.suppressed, endedEnrollmentIds: result.endedEnrollmentIds };
}

/** The one-click link names an email (send id); false when that email or its contact no longer exists. */
export async function unsubscribeBySend(deps: LifecycleDeps, sendId: string): Promise<boolean> {
  const send = await findSendById(deps.db, sendId);
  if (!send) return false;
  const result = await applyOptOut(deps.db, { contactId: send.contactId, kind: 'unsubscribe', actor: 'link:one-click', data: { source: 'one_click', sendId: send.sendId, enrollmentId: send.enrollmentId } });
  if (result.outcome === 'no_contact') return false;
  await signalEndedAfterCommit(deps, result.endedEnrollmentIds, 'UNSUBSCRIBED');
  return true;
}

/** Whether a link's email still exists (the confirmation page shows nothing else). */
export async function sendExists(deps: Pick<LifecycleDeps, 'db'>, sendId: string): Promise<boolean> {
  return (await findSendById(deps.db, sendId)) !== undefined;
}
