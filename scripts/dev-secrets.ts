import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Development secrets, generated once and kept in .data/dev-secrets.json (git-ignored), so a
 * restart keeps links in sent emails and the dev database password valid. Environment wins.
 */
export interface DevSecrets {
  POSTGRES_PASSWORD: string;
  TRACKING_SECRET: string;
  MAIL_WEBHOOK_SECRET: string;
  ERASURE_HASH_SECRET: string;
  SECRETS_KEY: string;
  PSA_INTEGRATION_KEY: string;
  CRM_INTEGRATION_KEY: string;
  /** The Salesforce emulator's connected app (npm start without SALESFORCE_LOGIN_URL). */
  SALESFORCE_CLIENT_ID: string;
  SALESFORCE_CLIENT_SECRET: string;
}

export function loadOrCreateDevSecrets(file: string): DevSecrets {
  const existing: Partial<DevSecrets> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>) : {};
  const make = () => randomBytes(24).toString('base64url');
  const secrets: DevSecrets = {
    POSTGRES_PASSWORD: existing.POSTGRES_PASSWORD ?? make(),
    TRACKING_SECRET: existing.TRACKING_SECRET ?? make(),
    MAIL_WEBHOOK_SECRET: existing.MAIL_WEBHOOK_SECRET ?? make(),
    ERASURE_HASH_SECRET: existing.ERASURE_HASH_SECRET ?? make(),
    // Losing it makes stored mailbox credentials unreadable: kept with the data it protects.
    SECRETS_KEY: existing.SECRETS_KEY ?? randomBytes(32).toString('base64'),
    PSA_INTEGRATION_KEY: existing.PSA_INTEGRATION_KEY ?? `psa_${make()}`,
    CRM_INTEGRATION_KEY: existing.CRM_INTEGRATION_KEY ?? `crm_${make()}`,
    SALESFORCE_CLIENT_ID: existing.SALESFORCE_CLIENT_ID ?? `dev_emulator_${make().slice(0, 12)}`,
    SALESFORCE_CLIENT_SECRET: existing.SALESFORCE_CLIENT_SECRET ?? make(),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
