/**
 * The one seeding module: rows inserted straight into the database, for tests that cover behaviour
 * rather than the API that creates them, and the reads tests check them with.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database';
import type { ActivityType } from '../../domain/activity-log/types';
import type { Consent, ContactStatus } from '../../domain/contacts/vocabulary';
import { normalizeEmail } from '../../domain/email-address';
import type { ReasonCode } from '../../domain/reason-codes';
import type { SendWindow } from '../../domain/sequences/send-window';
import type { EnrollmentStatus, SendStatus, SequenceStatus } from '../../domain/sequences/vocabulary';

export interface SeededSequence {
  mailboxId: string;
  sequenceId: string;
  stepIds: string[];
}

export async function seedSequence(
  db: Db,
  opts: {
    status?: SequenceStatus;
    unenrollOnReply?: boolean;
    sendWindow?: SendWindow | null;
    timeZone?: string;
    mailbox?: { connected?: boolean; syncEnabled?: boolean; dailyLimit?: number; perMinuteLimit?: number };
    steps?: { html?: string | null; text?: string | null }[];
  } = {},
): Promise<SeededSequence> {
  const mb = opts.mailbox ?? {};
  const mailbox = await db
    .insertInto('mailboxes')
    .values({ provider: 'smtp', address: 'sender@crm.test', connected: mb.connected ?? true, sync_enabled: mb.syncEnabled ?? true, daily_limit: mb.dailyLimit, per_minute_limit: mb.perMinuteLimit, settings: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const sequence = await db
    .insertInto('sequences')
    .values({ name: 'Edge test', mailbox_id: mailbox.id, status: opts.status ?? 'active', send_window: opts.sendWindow ? JSON.stringify(opts.sendWindow) : null, time_zone: opts.timeZone, unenroll_on_reply: opts.unenrollOnReply })
    .returning('id')
    .executeTakeFirstOrThrow();
  const stepIds: string[] = [];
  for (const [position, step] of (opts.steps ?? [{ html: '<p>Hello</p>', text: 'Hello' }]).entries()) {
    const row = await db
      .insertInto('sequence_steps')
      .values({ sequence_id: sequence.id, position, subject: `Step ${position + 1}`, html: step.html ?? null, text: step.text ?? null, delay: 'PT0S', delay_ms: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    stepIds.push(row.id);
  }
  return { mailboxId: mailbox.id, sequenceId: sequence.id, stepIds };
}

export interface ContactSeed {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  consent?: Consent;
  status?: ContactStatus;
  timeZone?: string | null;
  companyId?: string | null;
  ownerId?: string | null;
}

/** A contact inserted directly (faster than the API for fixtures); by default opted in, with a unique mixed-case address. */
export async function seedContact(db: Db, seed: ContactSeed = {}): Promise<string> {
  const email = seed.email === undefined ? `c-${randomUUID().slice(0, 8)}@Example.COM` : seed.email;
  const row = await db
    .insertInto('contacts')
    .values({
      email,
      email_normalized: email ? normalizeEmail(email) : null,
      first_name: seed.firstName ?? null,
      last_name: seed.lastName ?? null,
      company_id: seed.companyId ?? null,
      status: seed.status ?? 'active',
      consent: seed.consent ?? 'opted_in',
      time_zone: seed.timeZone ?? null,
      owner_id: seed.ownerId ?? null,
      external_ids: '{}',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function seedEnrollment(db: Db, opts: { contactId: string; sequenceId: string; status?: EnrollmentStatus; waitingFor?: string[]; nextSendAt?: Date; endedReason?: ReasonCode; createdAt?: Date }): Promise<string> {
  const row = await db
    .insertInto('enrollments')
    .values({ contact_id: opts.contactId, sequence_id: opts.sequenceId, status: opts.status ?? 'active', waiting_for: opts.waitingFor ?? [], next_send_at: opts.nextSendAt ?? null, ended_reason: opts.endedReason ?? null, ...(opts.createdAt && { created_at: opts.createdAt }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function seedSend(db: Db, opts: { enrollmentId: string; stepId: string; mailboxId: string; status?: SendStatus; hasHtml?: boolean; links?: string[]; sentAt?: Date }): Promise<{ id: string; messageId: string }> {
  const messageId = `${randomUUID()}@crm.test`;
  const row = await db
    .insertInto('email_sends')
    .values({ enrollment_id: opts.enrollmentId, step_id: opts.stepId, mailbox_id: opts.mailboxId, status: opts.status ?? 'sent', message_id: messageId, has_html: opts.hasHtml ?? true, links: JSON.stringify(opts.links ?? []), sent_at: opts.sentAt ?? new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, messageId };
}

/** A contact enrolled in a sequence with one sent email: the usual starting point. */
export async function seedSentEmail(db: Db, seq: SeededSequence, contactId: string, sendOpts: { hasHtml?: boolean; links?: string[] } = {}) {
  const enrollmentId = await seedEnrollment(db, { contactId, sequenceId: seq.sequenceId });
  const send = await seedSend(db, { enrollmentId, stepId: seq.stepIds[0]!, mailboxId: seq.mailboxId, ...sendOpts });
  return { enrollmentId, sendId: send.id, messageId: send.messageId };
}

export async function activitiesOf(db: Db, contactId: string, type?: ActivityType) {
  let q = db.selectFrom('activities').selectAll().where('contact_id', '=', contactId).orderBy('id');
  if (type) q = q.where('type', '=', type);
  return q.execute();
}

export async function enrollmentRow(db: Db, id: string) {
  return db.selectFrom('enrollments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
