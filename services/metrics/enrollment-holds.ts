import { sql } from 'kysely';
import type { StateMetric } from './state-metrics';

/** Enrollments waiting right now, by what they wait for (a reason code: SEQUENCE_PAUSED, MAILBOX_DISCONNECTED, OUTSIDE_SEND_WINDOW, …). */
export const enrollmentsWaiting: StateMetric<'code'> = {
  name: 'crm_enrollments_waiting',
  help: 'Live enrollments on hold or deferred now, by the reason code they wait for (one enrollment may wait for several).',
  labelNames: ['code'],
  async read(db) {
    const rows = await db
      .selectFrom('enrollments')
      .select(sql<string>`unnest(waiting_for)`.as('code'))
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', 'in', ['waiting', 'paused'])
      .groupBy('code')
      .execute();
    return rows.map((r) => ({ labels: { code: r.code }, value: Number(r.n) }));
  },
};
