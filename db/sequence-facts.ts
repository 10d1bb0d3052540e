import { sql } from 'kysely';
import type { Db } from './database';
import type { SequenceRuleFacts } from '../domain/sequences/rules';
import { LIVE_ENROLLMENT_STATUSES } from '../domain/sequences/vocabulary';

/**
 * Loads the facts the sequence rules judge, for one contact and sequence. The same facts feed
 * enrollment, the send-time re-check and the diagnostics endpoint, so all three agree.
 * Pass a transaction as `db` to read them under the claim's locks.
 * One statement (every send reads them, under locks: one round trip, not five).
 */
export async function loadSequenceRuleFacts(db: Db, contactId: string, sequenceId: string, opts: { excludeEnrollmentId?: string } = {}): Promise<SequenceRuleFacts> {
  return ruleFactsOf(await sequenceRuleFactsQuery(db, contactId, sequenceId, opts).executeTakeFirstOrThrow());
}

/**
 * The facts' statement, for a caller that reads more in the same round trip (the send claim adds the
 * mailbox, the steps and the erasure check): turn its row into facts with ruleFactsOf.
 */
export function sequenceRuleFactsQuery(db: Db, contactId: string, sequenceId: string, opts: { excludeEnrollmentId?: string } = {}) {
  return db
    .selectFrom(sql<{ one: number }>`(select 1 as one)`.as('one'))
    .leftJoin('contacts as c', (j) => j.on('c.id', '=', contactId))
    .leftJoin('sequences as s', (j) => j.on('s.id', '=', sequenceId))
    .leftJoin('mailboxes as m', 'm.id', 's.mailbox_id')
    .select(['c.id as contact_id', 'c.email', 'c.status as contact_status', 'c.consent', 's.status as sequence_status', 'm.id as mailbox_id', 'm.connected', 'm.sync_enabled'])
    .select((eb) => [
      eb.selectFrom('suppressions as sp').select('sp.reason').whereRef('sp.address_normalized', '=', 'c.email_normalized').limit(1).as('suppression_reason'),
      eb
        .exists(
          eb
            .selectFrom('enrollments as e')
            .select('e.id')
            .where('e.contact_id', '=', contactId)
            .where('e.sequence_id', '=', sequenceId)
            .where('e.status', 'in', LIVE_ENROLLMENT_STATUSES)
            .$if(opts.excludeEnrollmentId !== undefined, (q) => q.where('e.id', '!=', opts.excludeEnrollmentId!)),
        )
        .as('other_live'),
    ]);
}

type RuleFactsRow = Awaited<ReturnType<ReturnType<typeof sequenceRuleFactsQuery>['executeTakeFirstOrThrow']>>;

export function ruleFactsOf(row: RuleFactsRow): SequenceRuleFacts {
  return {
    contact: { exists: row.contact_id !== null, email: row.email ?? null, status: row.contact_status ?? 'active', consent: row.consent ?? 'unknown' },
    suppression: row.suppression_reason ? { reason: row.suppression_reason } : null,
    sequence: { status: row.sequence_status ?? 'archived' },
    mailbox: row.mailbox_id !== null ? { connected: row.connected!, syncEnabled: row.sync_enabled! } : null,
    otherLiveEnrollment: Boolean(row.other_live),
  };
}
