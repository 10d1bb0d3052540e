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
  /** The key the CRM presents to Books (the emulator accepts it). */
  BOOKS_API_KEY: string;
  /** "dev1:<base64 of 32 bytes>": Temporal payloads are encrypted in development too (the codec server decodes them for the UI). */
  TEMPORAL_PAYLOAD_KEY: string;
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
    BOOKS_API_KEY: existing.BOOKS_API_KEY ?? `books_${make()}`,
    // Kept with .data/temporal.db: losing it makes the histories written with it unreadable.
    TEMPORAL_PAYLOAD_KEY: existing.TEMPORAL_PAYLOAD_KEY ?? `dev1:${randomBytes(32).toString('base64')}`,
    SALESFORCE_CLIENT_ID: existing.SALESFORCE_CLIENT_ID ?? `dev_emulator_${make().slice(0, 12)}`,
    SALESFORCE_CLIENT_SECRET: existing.SALESFORCE_CLIENT_SECRET ?? make(),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
