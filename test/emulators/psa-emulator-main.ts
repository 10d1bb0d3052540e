/**
 * Local PSA emulator: `tsx test/emulators/psa-emulator-main.ts`.
 * Env: PORT (default 4010), PSA_INTEGRATION_KEY, CRM_INTEGRATION_KEY, CRM_WEBHOOK_URL, PSA_CONFIRMATION_DELAY_MS (default 5000).
 */
import { startPsaEmulator } from './psa-emulator';
import { portEnv, requiredEnv, runEmulator } from './run-emulator';

runEmulator(
  async () => {
    const psa = await startPsaEmulator({
      port: portEnv('PORT', 4010),
      psaIntegrationKey: requiredEnv('PSA_INTEGRATION_KEY'),
      crmIntegrationKey: requiredEnv('CRM_INTEGRATION_KEY'),
      crmWebhookUrl: process.env.CRM_WEBHOOK_URL || undefined,
      confirmationDelayMs: Number(process.env.PSA_CONFIRMATION_DELAY_MS ?? 5000),
      webhookDelivery: 'timer',
    });
    return { url: psa.url, stop: () => psa.close() };
  },
  (url) => `PSA emulator listening on ${url} (webhook -> ${process.env.CRM_WEBHOOK_URL ?? 'none'})`,
);
