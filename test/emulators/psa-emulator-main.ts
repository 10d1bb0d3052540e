/**
 * Local PSA emulator: `tsx test/emulators/psa-emulator-main.ts`.
 * Env: PORT (default 4010), PSA_INTEGRATION_KEY, CRM_INTEGRATION_KEY, CRM_WEBHOOK_URL, PSA_CONFIRMATION_DELAY_MS (default 5000).
 */
import { startPsaEmulator } from './psa-emulator';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const emulator = await startPsaEmulator({
    port: Number(process.env.PORT ?? 4010),
    psaIntegrationKey: required('PSA_INTEGRATION_KEY'),
    crmIntegrationKey: required('CRM_INTEGRATION_KEY'),
    crmWebhookUrl: process.env.CRM_WEBHOOK_URL || undefined,
    confirmationDelayMs: Number(process.env.PSA_CONFIRMATION_DELAY_MS ?? 5000),
    webhookDelivery: 'timer',
  });
  console.log(`PSA emulator listening on ${emulator.url} (webhook -> ${process.env.CRM_WEBHOOK_URL ?? 'none'})`);
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
