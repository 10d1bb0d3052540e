import type { Db } from './database';

/** Append-only activity log per contact / company. `dedupeKey` makes retried appends no-ops. */
export interface ActivityInput {
  contactId?: string | null;
  companyId?: string | null;
  type: string;
  reasonCode?: string | null;
  data?: Record<string, unknown>;
  /** 'user:<id>', 'workflow:<workflowId>', 'webhook:<source>', 'system'. */
  actor: string;
  dedupeKey?: string;
}

export async function recordActivity(db: Db, a: ActivityInput): Promise<void> {
  await db
    .insertInto('activities')
    .values({
      contact_id: a.contactId ?? null,
      company_id: a.companyId ?? null,
      type: a.type,
      reason_code: a.reasonCode ?? null,
      data: JSON.stringify(a.data ?? {}),
      actor: a.actor,
      dedupe_key: a.dedupeKey ?? null,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}
