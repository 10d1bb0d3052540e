/**
 * Local Salesforce emulator: `tsx test/emulators/salesforce/main.ts`.
 * Env: SALESFORCE_EMULATOR_PORT (default 4030), SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET (required),
 * SALESFORCE_EMULATOR_HOST (default 127.0.0.1).
 */
import { startSalesforceEmulator } from './server';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const emulator = await startSalesforceEmulator({
    port: Number(process.env.SALESFORCE_EMULATOR_PORT ?? 4030),
    host: process.env.SALESFORCE_EMULATOR_HOST ?? '127.0.0.1',
    clientId: required('SALESFORCE_CLIENT_ID'),
    clientSecret: required('SALESFORCE_CLIENT_SECRET'),
  });
  console.log(`Salesforce emulator listening on ${emulator.url} (login URL and instance URL; control plane ${emulator.url}/__emulator/)`);
  const stop = (): void => {
    emulator.stop().then(
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
