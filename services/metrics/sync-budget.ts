import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { BUDGET_WINDOW_MS } from '../../domain/sync/budget';
import { parseStoredSettings } from '../sync/connector-store';
import type { StateMetric } from './state-metrics';

/**
 * How much of its daily Salesforce API budget each CRM sync connector has used, the two ways a cycle can
 * be deferred for it (domain/sync/budget.ts): `budget="connector_share"` — the connector's calls over
 * the last 24 hours over its allowance (the org's daily limit × its apiBudgetShare); `budget="org"` —
 * the whole org's use over its limit, as Salesforce last reported it (Sforce-Limit-Info). No series
 * before Salesforce has reported a limit. Connector ids are opaque (no personal data).
 */
export interface ConnectorBudget {
  connectorId: string;
  budget: 'connector_share' | 'org';
  used: number;
  limit: number;
}

export async function readBudgets(db: Db, nowMs: number): Promise<ConnectorBudget[]> {
  const rows = await db
    .selectFrom('connectors as c')
    .select(['c.id', 'c.settings', 'c.org_api_used', 'c.org_api_limit'])
    .select((eb) =>
      eb
        .selectFrom('sync_cycles as y')
        .select(sql<string>`coalesce(sum(y.api_calls), 0)`.as('calls'))
        .whereRef('y.connector_id', '=', 'c.id')
        .where('y.started_at', '>', new Date(nowMs - BUDGET_WINDOW_MS))
        .as('calls'),
    )
    .where('c.org_api_limit', '>', 0)
    .execute();
  return rows.flatMap((r) => {
    const limit = r.org_api_limit!;
    const allowance = Math.floor(limit * parseStoredSettings(r).apiBudgetShare);
    return [
      { connectorId: r.id, budget: 'connector_share' as const, used: Number(r.calls ?? 0), limit: allowance },
      { connectorId: r.id, budget: 'org' as const, used: r.org_api_used ?? 0, limit },
    ];
  });
}

export const syncApiBudgetUsed: StateMetric<'connector_id' | 'budget'> = {
  name: 'crm_sync_api_budget_used_ratio',
  help: "Share (0-1) of each CRM sync connector's daily API budget used: its own calls over its allowance (budget=connector_share), the org's use over its limit (budget=org).",
  labelNames: ['connector_id', 'budget'],
  async read(db, nowMs) {
    return (await readBudgets(db, nowMs)).filter((b) => b.limit > 0).map((b) => ({ labels: { connector_id: b.connectorId, budget: b.budget }, value: b.used / b.limit }));
  },
};
