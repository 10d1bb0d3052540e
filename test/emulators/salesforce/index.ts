/** The Salesforce emulator for tests: `startSalesforceEmulator(opts)` → { url, stop(), control }. */
export { startSalesforceEmulator, type SalesforceEmulator, type SalesforceEmulatorOptions } from './server';
export { SalesforceEmulatorControl } from './control';
export type { EmulatorSettings, FaultInput, FaultRule, JournalEntry } from './runtime';
export { idChecksum, normaliseId } from './ids';
