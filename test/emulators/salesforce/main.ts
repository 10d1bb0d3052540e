/**
 * Local Salesforce emulator: `tsx test/emulators/salesforce/main.ts`.
 * Env: SALESFORCE_EMULATOR_PORT (default 4030), SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET (required),
 * SALESFORCE_EMULATOR_HOST (default 127.0.0.1).
 */
import { portEnv, requiredEnv, runEmulator } from '../run-emulator';
import { startSalesforceEmulator } from './server';

runEmulator(
  () =>
    startSalesforceEmulator({
      port: portEnv('SALESFORCE_EMULATOR_PORT', 4030),
      host: process.env.SALESFORCE_EMULATOR_HOST ?? '127.0.0.1',
      clientId: requiredEnv('SALESFORCE_CLIENT_ID'),
      clientSecret: requiredEnv('SALESFORCE_CLIENT_SECRET'),
    }),
  (url) => `Salesforce emulator listening on ${url} (login URL and instance URL; control plane ${url}/__emulator/)`,
);
