import type { ActivityType } from '../domain/activity-log/types';
import type { ReasonCode } from '../domain/reason-codes';
import type { Db } from './database';
import { pageByIdDescending, type Page } from './pagination';
import type { ActivityRow } from './schema';

/** Append-only activity log per contact / company. `dedupeKey` makes retried appends no-ops. */
export interface ActivityInput {
  contactId?: string | null;
  companyId?: string | null;
  dealId?: string | null;
  type: ActivityType;
  reasonCode?: ReasonCode | null;
  /** Ids, codes, statuses and field names only: never personal data. */
  data?: Record<string, unknown>;
  /** 'user:<id>', 'workflow:<workflowId>', 'webhook:<source>', 'system'. */
  actor: string;
  dedupeKey?: string;
}

/** The row of an entry (for statements that append one alongside another write). */
export function activityRow(a: ActivityInput) {
  return {
    contact_id: a.contactId ?? null,
    company_id: a.companyId ?? null,
    deal_id: a.dealId ?? null,
    type: a.type,
    reason_code: a.reasonCode ?? null,
    data: JSON.stringify(a.data ?? {}),
    actor: a.actor,
    dedupe_key: a.dedupeKey ?? null,
  };
}

/** Appends an entry; false when its dedupe key was already used (nothing written). */
export async function recordActivity(db: Db, a: ActivityInput): Promise<boolean> {
  const row = await db
    .insertInto('activities')
    .values(activityRow(a))
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** One page of a contact's or company's activity log, newest first. */
export function pageActivities(db: Db, subject: { contactId: string } | { companyId: string }, page: { limit: number; cursor?: string }): Promise<Page<ActivityRow>> {
  const query = 'contactId' in subject
    ? db.selectFrom('activities').selectAll().where('contact_id', '=', subject.contactId)
    : db.selectFrom('activities').selectAll().where('company_id', '=', subject.companyId);
  return pageByIdDescending(query, page);
}
