import type { AppConfig } from '../domain/config';
import type { DevSecrets } from './dev-secrets';

/**
 * The environment of the API and worker processes a launcher starts (`npm start`, `npm run cluster`):
 * its own settings win, generated development secrets fill the gaps.
 */
export function appChildEnv(opts: { config: AppConfig; secrets: DevSecrets; databaseUrl: string; temporalAddress: string; publicBaseUrl: string; temporalUiOrigins?: string[] }): NodeJS.ProcessEnv {
  const { config, secrets } = opts;
  return {
    ...process.env,
    DATABASE_URL: opts.databaseUrl,
    TEMPORAL_ADDRESS: opts.temporalAddress,
    PUBLIC_BASE_URL: opts.publicBaseUrl,
    TRACKING_SECRET: config.TRACKING_SECRET ?? secrets.TRACKING_SECRET,
    MAIL_WEBHOOK_SECRET: config.MAIL_WEBHOOK_SECRET ?? secrets.MAIL_WEBHOOK_SECRET,
    ERASURE_HASH_SECRET: config.ERASURE_HASH_SECRET ?? secrets.ERASURE_HASH_SECRET,
    SECRETS_KEY: config.SECRETS_KEY ?? secrets.SECRETS_KEY,
    PSA_INTEGRATION_KEY: config.PSA_INTEGRATION_KEY ?? secrets.PSA_INTEGRATION_KEY,
    CRM_INTEGRATION_KEY: config.CRM_INTEGRATION_KEY ?? secrets.CRM_INTEGRATION_KEY,
    BOOKS_API_KEY: config.BOOKS_API_KEY ?? secrets.BOOKS_API_KEY,
    // The variable as given (the parsed config holds a key ring), else the development key.
    TEMPORAL_PAYLOAD_KEY: process.env.TEMPORAL_PAYLOAD_KEY?.trim() ? process.env.TEMPORAL_PAYLOAD_KEY : secrets.TEMPORAL_PAYLOAD_KEY,
    ...(opts.temporalUiOrigins?.length && !config.TEMPORAL_UI_ORIGIN && { TEMPORAL_UI_ORIGIN: opts.temporalUiOrigins.join(',') }),
  };
}
