/**
 * The Salesforce client of a connector, with its opened secret. Sforce-Limit-Info and the CRM's clock
 * (Date headers) are captured so the cycle can store them; calls are counted by the client itself.
 */
import { createSalesforceClient, type ApiUsage, type SalesforceClient } from '../../integrations/salesforce';
import { openClientSecret, type SyncConnector } from './connector-store';

export interface CrmClientOptions {
  secretsKey: string | undefined;
  /** Waits between bulk job polls (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
  requestTimeoutMs?: number;
  onUsage?: (usage: ApiUsage) => void;
}

export function crmClientFor(connector: SyncConnector, opts: CrmClientOptions): SalesforceClient {
  const { loginUrl, clientId, apiVersion } = connector.settings;
  return createSalesforceClient({
    settings: { loginUrl, clientId, apiVersion, clientSecret: openClientSecret(connector.row, opts.secretsKey) },
    ...(opts.onUsage ? { onUsage: opts.onUsage } : {}),
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
    ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
  });
}
