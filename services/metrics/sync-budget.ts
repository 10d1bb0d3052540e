import type { Db } from '../../db/database';
import type { StateMetric } from './state-metrics';

/**
 * Seam for CRM sync (branch `sync`, being built in parallel): the share of each connector's daily
 * Salesforce API budget used, as last reported by Salesforce (Sforce-Limit-Info) and stored with the
 * connector. At merge, `readBudgets` reads the connectors' stored usage; until then there are no
 * connectors and no series. Connector ids are opaque (no personal data).
 */
export interface ConnectorBudget {
  connectorId: string;
  used: number;
  limit: number;
}

async function readBudgets(_db: Db): Promise<ConnectorBudget[]> {
  return [];
}

export const syncApiBudgetUsed: StateMetric<'connector_id'> = {
  name: 'crm_sync_api_budget_used_ratio',
  help: "Share (0-1) of each CRM sync connector's daily API budget used, as last reported by the CRM.",
  labelNames: ['connector_id'],
  async read(db) {
    return (await readBudgets(db)).filter((b) => b.limit > 0).map((b) => ({ labels: { connector_id: b.connectorId }, value: b.used / b.limit }));
  },
};
