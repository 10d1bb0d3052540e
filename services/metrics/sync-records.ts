import type { StateMetric } from './state-metrics';

/**
 * CRM sync records by their current status and decision code (CONTACT_INACTIVE, DUPLICATE_EMAIL,
 * FILTERED_OUT, CRM_MERGED, …; `none` for a record synced without a remark), per connector. One
 * grouped read on sync_records_status_idx. Codes and opaque connector ids only: no personal data.
 */
export const syncRecordsByDecision: StateMetric<'connector_id' | 'status' | 'code'> = {
  name: 'crm_sync_records',
  help: 'CRM sync records by connector, status (synced, skipped, frozen, stopped, review, deleted_local) and decision code.',
  labelNames: ['connector_id', 'status', 'code'],
  async read(db) {
    const rows = await db
      .selectFrom('sync_records')
      .select(['connector_id', 'status', 'code'])
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .groupBy(['connector_id', 'status', 'code'])
      .execute();
    return rows.map((r) => ({ labels: { connector_id: r.connector_id, status: r.status, code: r.code ?? 'none' }, value: Number(r.n) }));
  },
};
