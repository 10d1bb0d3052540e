/**
 * The CRM-account branch's lookup: every connector that syncs Accounts is asked (through the same
 * client the sync loop builds, services/sync/crm-client.ts) for the Accounts listing a domain. It runs
 * before the resolve transaction opens, so a slow or unreachable Salesforce holds no lock; a failure
 * is a 503 with Salesforce's code and nothing has been written.
 */
import type { Db } from '../../db/database';
import type { AppConfig } from '../../domain/config';
import { accountsByDomainSoql } from '../../domain/matching/crm-account-query';
import { accountDomains, toSnapshot, type CrmSnapshot } from '../../domain/sync/snapshot';
import { fieldsToRead } from '../../domain/sync/snapshot';
import { SalesforceError } from '../../integrations/salesforce';
import { unavailable } from '../errors';
import { parseStoredSettings, type SyncConnector } from '../sync/connector-store';
import { crmClientFor } from '../sync/crm-client';

/** Per Salesforce call, jsforce's own retries included: an API request must not hang on a sick org. */
export const CRM_LOOKUP_TIMEOUT_MS = 20_000;

export interface FoundAccount {
  connector: SyncConnector;
  snapshot: CrmSnapshot;
  domains: string[];
}

export interface CrmAccountsFound {
  /** Connectors that sync Accounts (0: the branch is skipped). */
  connectors: number;
  accounts: FoundAccount[];
}

export interface CrmLookupOptions {
  /** Tests shorten waits (jsforce's retry backoff is not affected). */
  requestTimeoutMs?: number;
}

/** Connectors that sync Accounts, oldest first (the first that knows the domain wins). */
async function accountConnectors(db: Db): Promise<SyncConnector[]> {
  const rows = await db.selectFrom('connectors').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map((row) => ({ row, settings: parseStoredSettings(row) })).filter((c) => c.settings.objects.includes('Account'));
}

export async function findCrmAccounts(db: Db, config: Pick<AppConfig, 'SECRETS_KEY'>, domain: string, opts: CrmLookupOptions = {}): Promise<CrmAccountsFound> {
  const connectors = await accountConnectors(db);
  const accounts: FoundAccount[] = [];
  for (const connector of connectors) {
    if (connector.row.status === 'auth_failed') {
      throw unavailable('CRM_AUTH_FAILED', `Connector ${connector.row.id} cannot sign in to Salesforce (its credentials were refused); the CRM-account branch cannot be checked, so nothing was created. Fix the connector's credentials (PATCH /v1/connectors/${connector.row.id}) and try again.`);
    }
    const client = crmClientFor(connector, { secretsKey: config.SECRETS_KEY, requestTimeoutMs: opts.requestTimeoutMs ?? CRM_LOOKUP_TIMEOUT_MS });
    const fields = fieldsToRead('Account', connector.settings);
    try {
      // One page: at most MAX_ACCOUNTS_PER_DOMAIN accounts.
      for await (const page of client.query(accountsByDomainSoql(domain, connector.settings))) {
        for (const raw of page.records) {
          const snapshot = toSnapshot(raw, fields, connector.settings);
          const domains = accountDomains(snapshot, connector.settings);
          if (domains.includes(domain)) accounts.push({ connector, snapshot, domains });
        }
        break;
      }
    } catch (err) {
      if (err instanceof SalesforceError) {
        throw unavailable(err.code, `Salesforce (connector ${connector.row.id}) could not be asked for accounts with this domain: ${err.message}. Nothing was created; try again later.`);
      }
      throw err;
    }
  }
  return { connectors: connectors.length, accounts };
}
