/**
 * The claim: one transaction that decides whether a step may go out, and if so takes its outbox row.
 * Locks, in the order of db/lock-order.ts: the contact row (FOR SHARE: an opt-out, which locks the
 * contact to update it, waits for us or we see it), the enrollment row (FOR UPDATE: one attempt per
 * enrollment at a time), the outbox row.
 * Under those locks it re-checks the enrollment is live and every sequence rule, reserves sending
 * capacity, renders the message and marks the row `claimed`. Once committed the message is "handed
 * to the mailbox": a later attempt that finds the row still `claimed` never sends it again.
 */
import { isLiveEnrollment } from '../../domain/sequences/vocabulary';
import { randomUUID } from 'node:crypto';
import { recordActivity } from '../../db/activity-log';
import { lockContact, lockEnrollment } from '../../db/lock-order';
import { rememberPersonalData } from '../scrub/personal-data-registry';
import { loadSequenceRuleFacts } from '../../db/sequence-facts';
import { reserveSendCapacity } from '../../db/sending-limits';
import { isReasonCode } from '../../domain/reason-codes';
import { classifyCodes, evaluateSequenceRules } from '../../domain/sequences/rules';
import type { MailboxRow } from '../../integrations/mail/mailbox-transports';
import { erasedContacts } from '../../services/erasure/erased-subject';
import { workflowActor, type SequenceContext } from './context';
import { renderEmail } from './render-email';
import type { SendStepInput, SendStepResult } from './types';

export interface Claim {
  sendId: string;
  messageId: string;
  enrollmentId: string;
  stepId: string;
  sequenceId: string;
  contactId: string;
  companyId: string | null;
  mailbox: MailboxRow;
  to: string;
  raw: Buffer;
  hasHtml: boolean;
}

export type ClaimOutcome = { kind: 'claimed'; claim: Claim } | { kind: 'done'; result: SendStepResult };

const done = (result: SendStepResult): ClaimOutcome => ({ kind: 'done', result });
const messageIdFor = (sendId: string) => `<send-${sendId}@crm-workflows.local>`;

export async function claimSend(ctx: SequenceContext, input: SendStepInput, atMs: number): Promise<ClaimOutcome> {
  const { enrollmentId, stepId } = input;
  return ctx.db.transaction().execute(async (tx): Promise<ClaimOutcome> => {
    // Contact first, then enrollment: the same order as an opt-out (contact FOR UPDATE, then its
    // enrollments), so the two serialise instead of deadlocking.
    const owner = await tx.selectFrom('enrollments').select('contact_id').where('id', '=', enrollmentId).executeTakeFirst();
    if (!owner) return done({ kind: 'ended', reason: 'CONTACT_NO_EMAIL' }); // contact deleted (cascade)
    const contact = await lockContact(tx, owner.contact_id, 'share');
    rememberPersonalData(contact?.email, contact?.first_name, contact?.last_name);
    const enrollment = await lockEnrollment(tx, enrollmentId);
    if (!enrollment) return done({ kind: 'ended', reason: 'CONTACT_NO_EMAIL' });
    if (!isLiveEnrollment(enrollment.status)) return done({ kind: 'ended', reason: enrollment.ended_reason ?? 'UNENROLLED' });

    const row = await tx.selectFrom('email_sends').selectAll().where('enrollment_id', '=', enrollmentId).where('step_id', '=', stepId).forUpdate().executeTakeFirst();
    switch (row?.status) {
      case 'sent':
        return done({ kind: 'sent', atMs: (row.sent_at ?? row.created_at).getTime() });
      case 'uncertain':
        return done({ kind: 'uncertain', atMs: (row.claimed_at ?? row.created_at).getTime() });
      case 'blocked':
        return done({ kind: 'blocked', codes: row.reason_code && isReasonCode(row.reason_code) ? [row.reason_code] : [] });
      case 'skipped':
        return done({ kind: 'skipped', code: 'STEP_REMOVED', atMs: row.created_at.getTime() });
      case 'claimed': {
        // An earlier attempt handed it over and never confirmed (crash, timeout): never send it twice.
        await tx.updateTable('email_sends').set({ status: 'uncertain', reason_code: 'SEND_UNCERTAIN' }).where('id', '=', row.id).execute();
        await recordActivity(tx, {
          contactId: enrollment.contact_id,
          type: 'email_uncertain',
          reasonCode: 'SEND_UNCERTAIN',
          data: { enrollmentId, sequenceId: enrollment.sequence_id, stepId, sendId: row.id },
          actor: workflowActor(enrollmentId),
          dedupeKey: `email_uncertain:${row.id}`,
        });
        return done({ kind: 'uncertain', atMs: (row.claimed_at ?? row.created_at).getTime() });
      }
      case 'pending':
      case undefined:
        break;
    }

    const step = await tx.selectFrom('sequence_steps').selectAll().where('id', '=', stepId).where('sequence_id', '=', enrollment.sequence_id).executeTakeFirst();
    if (!step || step.removed_at !== null) return done({ kind: 'skipped', code: 'STEP_REMOVED', atMs });

    // From the moment an erasure request is accepted nothing goes to the subject: acceptance writes the
    // request under this contact's lock FOR UPDATE, so it either committed before this check or waits for it.
    const erased = contact !== undefined && (await erasedContacts(tx, ctx.erasureSecret(), [contact])).size > 0;

    const facts = await loadSequenceRuleFacts(tx, enrollment.contact_id, enrollment.sequence_id, { excludeEnrollmentId: enrollmentId });
    const { end, hold } = classifyCodes(evaluateSequenceRules(facts, 'send'), 'send');
    // The sequence's mailbox, whole (its limits, and its transport if the step goes out).
    const mailbox = await tx.selectFrom('sequences as s').innerJoin('mailboxes as m', 'm.id', 's.mailbox_id').selectAll('m').where('s.id', '=', enrollment.sequence_id).executeTakeFirstOrThrow();
    const sequence = { mailbox_id: mailbox.id };
    const sendId = row?.id ?? randomUUID();
    const messageId = row?.message_id ?? messageIdFor(sendId);

    if (erased || end.length > 0 || !contact?.email) {
      const codes = erased ? (['ERASED'] as const) : end.length > 0 ? end : (['CONTACT_NO_EMAIL'] as const);
      await tx
        .insertInto('email_sends')
        .values({ id: sendId, enrollment_id: enrollmentId, step_id: stepId, mailbox_id: sequence.mailbox_id, status: 'blocked', message_id: messageId, reason_code: codes[0], links: '[]' })
        .onConflict((oc) => oc.columns(['enrollment_id', 'step_id']).doUpdateSet({ status: 'blocked', reason_code: codes[0] }))
        .execute();
      return done({ kind: 'blocked', codes: [...codes] });
    }
    if (hold.length > 0) return done({ kind: 'hold', codes: hold });

    const reservation = await reserveSendCapacity(tx, mailbox, atMs);
    if (!reservation.ok) {
      await recordActivity(tx, {
        contactId: enrollment.contact_id,
        type: 'email_deferred',
        reasonCode: reservation.code,
        data: { enrollmentId, sequenceId: enrollment.sequence_id, stepId, retryAt: new Date(reservation.retryAtMs).toISOString() },
        actor: workflowActor(enrollmentId),
        dedupeKey: `email_deferred:${enrollmentId}:${stepId}:${reservation.code}:${reservation.windowStartMs}`,
      });
      return done({ kind: 'deferred', code: reservation.code, retryAtMs: reservation.retryAtMs });
    }

    const company = contact.company_id ? await tx.selectFrom('companies').select('name').where('id', '=', contact.company_id).executeTakeFirst() : undefined;
    const rendered = await renderEmail({
      sendId,
      messageId,
      step,
      to: contact.email,
      values: {
        contact: { firstName: contact.first_name, lastName: contact.last_name, email: contact.email },
        company: { name: company?.name },
        sender: { name: mailbox.display_name, email: mailbox.address },
      },
      from: { address: mailbox.address, ...(mailbox.display_name ? { name: mailbox.display_name } : {}) },
      baseUrl: ctx.baseUrl,
      tokens: ctx.tokens(),
      date: new Date(atMs),
    });

    const claimed = { status: 'claimed' as const, claimed_at: new Date(atMs), mailbox_id: mailbox.id, has_html: rendered.hasHtml, links: JSON.stringify(rendered.links), reason_code: null };
    await tx
      .insertInto('email_sends')
      .values({ id: sendId, enrollment_id: enrollmentId, step_id: stepId, message_id: messageId, ...claimed })
      .onConflict((oc) => oc.columns(['enrollment_id', 'step_id']).doUpdateSet(claimed))
      .execute();
    await tx
      .updateTable('enrollments')
      .set({ status: 'active', waiting_for: [], current_step_id: stepId, updated_at: new Date(atMs) })
      .where('id', '=', enrollmentId)
      .execute();

    return {
      kind: 'claimed',
      claim: {
        sendId,
        messageId: rendered.messageId,
        enrollmentId,
        stepId,
        sequenceId: enrollment.sequence_id,
        contactId: enrollment.contact_id,
        companyId: contact.company_id,
        mailbox,
        to: contact.email,
        raw: rendered.raw,
        hasHtml: rendered.hasHtml,
      },
    };
  });
}
