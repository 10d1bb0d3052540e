/** Connector settings the Salesforce client needs (validated once, where the connector is configured). */
import { z } from 'zod';

export const SalesforceSettings = z.object({
  /** The org's My Domain URL (client credentials do not work on login.salesforce.com), or the emulator's URL. */
  loginUrl: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')),
  /** Connected app consumer key. */
  clientId: z.string().min(1).max(255),
  /** Connected app consumer secret. */
  clientSecret: z.string().min(1).max(255),
  /** REST API version, e.g. `62.0` (jsforce would otherwise default to 50.0). */
  apiVersion: z.string().regex(/^\d{2,3}\.0$/, 'API version like 62.0').default('62.0'),
});
export type SalesforceSettings = z.infer<typeof SalesforceSettings>;
export type SalesforceSettingsInput = z.input<typeof SalesforceSettings>;
