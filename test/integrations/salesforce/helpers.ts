/** Shared setup: an emulator with a frozen clock and our client pointed at it (unmodified jsforce underneath). */
import { createSalesforceClient, type SalesforceClient, type SalesforceClientOptions } from '../../../integrations/salesforce';
import { startSalesforceEmulator, type SalesforceEmulator, type SalesforceEmulatorOptions } from '../../emulators/salesforce';

export const CREDENTIALS = { clientId: 'test-connected-app', clientSecret: 'test-connected-app-secret' };
export const T0 = '2026-03-02T10:00:00.000Z';

export function startEmulator(opts: Partial<SalesforceEmulatorOptions> = {}): Promise<SalesforceEmulator> {
  return startSalesforceEmulator({ ...CREDENTIALS, now: T0, ...opts });
}

export function clientFor(emulator: SalesforceEmulator, opts: Partial<SalesforceClientOptions> = {}): SalesforceClient {
  return createSalesforceClient({
    settings: { loginUrl: emulator.url, ...CREDENTIALS, apiVersion: '62.0' },
    // Bulk polling waits are not what these tests are about.
    sleep: () => Promise.resolve(),
    ...opts,
  });
}

export async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

export const at = (iso: string): Date => new Date(iso);

/** Journal entries for a path fragment, e.g. `/composite/sobjects/Contact`. */
export function calls(emulator: SalesforceEmulator, path: string, method?: string): string[] {
  return emulator.control.requests({ path, method }).map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`);
}
