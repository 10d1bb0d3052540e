/**
 * Everything the send claim judges after its two locks, in ONE statement (each statement costs a
 * round trip, a system call and query building on both sides; this replaced five): the sequence
 * rules' facts (db/sequence-facts.ts's statement, with more columns), the sequence's mailbox and send
 * window, its steps with whether this enrollment has handled each, the contact's company name, and
 * whether the contact is an erased subject (erased-subject.ts's question). Call inside the claim's
 * transaction, after the contact and enrollment locks: it reads under them.
 */
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { Tx } from '../../db/lock-order';
import type { MailboxesTable } from '../../db/schema';
import { ruleFactsOf, sequenceRuleFactsQuery } from '../../db/sequence-facts';
import { HANDLED_SEND_STATUSES } from '../../db/sequence-steps';
import type { SequenceRuleFacts } from '../../domain/sequences/rules';
import { contactErasedSql } from '../../services/erasure/erased-subject';

export interface ClaimStep {
  id: string;
  subject: string;
  html: string | null;
  text: string | null;
  delayMs: number;
  removed: boolean;
  /** This enrollment's outbox row for the step is in a handled state (HANDLED_SEND_STATUSES). */
  handled: boolean;
}

export interface ClaimFacts {
  facts: SequenceRuleFacts;
  mailbox: Selectable<MailboxesTable>;
  sendWindow: unknown;
  sequenceTimeZone: string;
  /** In order (position, then creation). */
  steps: ClaimStep[];
  companyName: string | null;
  erased: boolean;
}

interface StepJson {
  id: string;
  subject: string;
  html: string | null;
  text: string | null;
  delay_ms: number | string;
  removed: boolean;
  handled: boolean;
}

export async function loadClaimFacts(
  tx: Tx,
  erasureSecret: () => string,
  contact: { id: string; email_normalized: string | null; company_id: string | null } | undefined,
  enrollment: { id: string; contact_id: string; sequence_id: string },
): Promise<ClaimFacts> {
  const row = await sequenceRuleFactsQuery(tx, enrollment.contact_id, enrollment.sequence_id, { excludeEnrollmentId: enrollment.id })
    .select([
      'm.provider',
      'm.address',
      'm.display_name',
      'm.daily_limit',
      'm.per_minute_limit',
      'm.settings',
      'm.secret',
      'm.created_at as mailbox_created_at',
      'm.updated_at as mailbox_updated_at',
      's.send_window',
      's.time_zone as sequence_time_zone',
    ])
    .select([
      // Every step (removed ones too: a removed step is skipped, not unknown), as one JSON array.
      sql<StepJson[]>`coalesce((
        select json_agg(json_build_object(
          'id', st.id, 'subject', st.subject, 'html', st.html, 'text', st.text, 'delay_ms', st.delay_ms,
          'removed', st.removed_at is not null,
          'handled', exists (select 1 from email_sends h where h.enrollment_id = ${enrollment.id} and h.step_id = st.id and h.status in (${sql.join(HANDLED_SEND_STATUSES)}))
        ) order by st.position, st.created_at)
        from sequence_steps st where st.sequence_id = ${enrollment.sequence_id}), '[]'::json)`.as('steps'),
      (contact?.company_id ? sql<string | null>`(select name from companies where id = ${contact.company_id})` : sql<null>`null::text`).as('company_name'),
      (contact ? contactErasedSql(erasureSecret(), contact) : sql<boolean>`false`).as('erased'),
    ])
    .executeTakeFirstOrThrow();
  // A sequence always has a mailbox (NOT NULL foreign key); its absence is a broken database.
  if (row.mailbox_id === null) throw new Error(`sequence ${enrollment.sequence_id} has no mailbox`);
  return {
    facts: ruleFactsOf(row),
    mailbox: {
      id: row.mailbox_id,
      provider: row.provider!,
      address: row.address!,
      display_name: row.display_name ?? null,
      connected: row.connected!,
      sync_enabled: row.sync_enabled!,
      daily_limit: row.daily_limit!,
      per_minute_limit: row.per_minute_limit!,
      settings: row.settings!,
      secret: row.secret ?? null,
      created_at: row.mailbox_created_at!,
      updated_at: row.mailbox_updated_at!,
    },
    sendWindow: row.send_window,
    sequenceTimeZone: row.sequence_time_zone!,
    steps: row.steps.map((s) => ({ id: s.id, subject: s.subject, html: s.html, text: s.text, delayMs: Number(s.delay_ms), removed: s.removed, handled: s.handled })),
    companyName: row.company_name ?? null,
    erased: Boolean(row.erased),
  };
}
