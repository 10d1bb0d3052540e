/**
 * Connector settings (README "CRM sync with Salesforce", "Settings"): validated once when a connector is created or
 * changed, stored without the client secret (sealed apart), and read by every cycle. Pure: the rule
 * code and the workflow's cadence read these types.
 */
import { z } from 'zod';
import { parseIsoDuration } from '../duration';
import { APP_OWNED_FIELDS, CONFLICT_POLICIES, SYNC_OBJECTS, SYNC_SCOPES } from './vocabulary';

/** A Salesforce field API name (standard or custom). */
export const crmFieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'a Salesforce field API name such as Type or Active__c');

const isoDuration = (min: number, fallback: string) =>
  z
    .string()
    .default(fallback)
    .superRefine((v, ctx) => {
      const parsed = parseIsoDuration(v);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
      else if (parsed.ms < min) ctx.addIssue({ code: 'custom', message: `must be at least ${min / 1000} seconds` });
    });

const appOwned = (field: string): boolean => (APP_OWNED_FIELDS as readonly string[]).includes(field.toLowerCase().replace(/__c$/, ''));

export const syncFilter = z.strictObject({
  /** The object whose field decides; a filter on Account also selects that account's contacts. */
  object: z.enum(SYNC_OBJECTS),
  field: crmFieldName,
  values: z.array(z.string().max(255)).min(1).max(100),
});
export type SyncFilter = z.infer<typeof syncFilter>;

export const customFieldMapping = z.strictObject({
  object: z.enum(SYNC_OBJECTS),
  /** The CRM field; stored locally under the same name in `custom_fields`. */
  field: crmFieldName.refine((f) => !appOwned(f), { message: `app-owned fields (${APP_OWNED_FIELDS.join(', ')}) are never written by the CRM` }),
  /** `local_overrides`: a value changed locally since the last sync is kept (CONFLICT_LOCAL_OVERRIDE). */
  policy: z.enum(CONFLICT_POLICIES).default('crm_wins'),
});
export type CustomFieldMapping = z.infer<typeof customFieldMapping>;

/** Everything but the credentials, with defaults. */
export const syncSettingsShape = {
  objects: z.array(z.enum(SYNC_OBJECTS)).min(1).default(['Account', 'Contact', 'Lead']).transform((objs) => SYNC_OBJECTS.filter((o) => objs.includes(o))),
  /** ISO-8601; Salesforce default every 2 minutes. */
  cadence: isoDuration(10_000, 'PT2M'),
  /** CRM records applied per incremental cycle; the rest wait in the queue (QUEUED_OVER_CAP). */
  recordCap: z.number().int().min(1).max(100_000).default(500),
  scope: z.enum(SYNC_SCOPES).default('all'),
  filter: syncFilter.nullable().default(null),
  /** Salesforce has no standard active flag on Contact and Account: this checkbox says it. */
  activeField: crmFieldName.default('Active__c'),
  /** An Account field listing the company's email domains (comma, semicolon or space separated), besides Website. */
  domainsField: crmFieldName.nullable().default(null),
  deleteInactiveContacts: z.boolean().default(false),
  skipB2C: z.boolean().default(false),
  detectDuplicatesOnCreate: z.boolean().default(true),
  syncAddresses: z.boolean().default(false),
  customFields: z.array(customFieldMapping).max(50).default([]),
  allowDuplicateEmails: z.boolean().default(false),
  /** Share of the org's daily API allowance this connector may use. */
  apiBudgetShare: z.number().min(0.01).max(1).default(0.5),
  /** Wait after REQUEST_LIMIT_EXCEEDED before trying again. */
  quotaBackoff: isoDuration(60_000, 'PT1H'),
  /** Two-way: local changes (contacts, companies, consent and status, email activity) are pushed each cycle. */
  outbound: z.boolean().default(false),
  /** The CRM's external id field holding our id: creates are upserts on it, so a retried push never duplicates. */
  externalIdField: crmFieldName.default('CRM_Workflows_Id__c'),
  /** Email activity (sent, opened, replied, unsubscribed) pushed as completed Tasks on the person. */
  pushActivities: z.boolean().default(true),
};

export const syncSettings = z.strictObject(syncSettingsShape);
export type SyncSettings = z.infer<typeof syncSettings>;
export type SyncSettingsInput = z.input<typeof syncSettings>;

export const DEFAULT_SYNC_SETTINGS: SyncSettings = syncSettings.parse({});

export function durationMs(iso: string): number {
  const parsed = parseIsoDuration(iso);
  if (!parsed.ok) throw new RangeError(parsed.error);
  return parsed.ms;
}

/** How to reach the CRM (stored with the settings; the secret is sealed apart and never returned). */
export const crmConnection = z.strictObject({
  /** The org's My Domain URL (client credentials do not work on login.salesforce.com), or the emulator's. */
  loginUrl: z.url({ protocol: /^https?$/ }).max(500).transform((u) => u.replace(/\/+$/, '')),
  /** Connected app consumer key. */
  clientId: z.string().min(1).max(255),
  /** REST API version, e.g. 62.0. */
  apiVersion: z.string().regex(/^\d{2,3}\.0$/, 'an API version like 62.0').default('62.0'),
});
export type CrmConnection = z.infer<typeof crmConnection>;

/** Settings as stored in connectors.settings: the connection (no secret) and the sync settings. */
export const storedConnectorSettings = crmConnection.extend(syncSettingsShape);
export type StoredConnectorSettings = z.infer<typeof storedConnectorSettings>;

/** Settings problems zod cannot see field by field. */
export function settingsProblems(s: Pick<SyncSettings, 'objects' | 'filter' | 'customFields'>): Array<{ path: string; problem: string }> {
  const problems: Array<{ path: string; problem: string }> = [];
  if (s.filter && !s.objects.includes(s.filter.object)) problems.push({ path: 'filter.object', problem: `${s.filter.object} is not one of the synced objects` });
  s.customFields.forEach((c, i) => {
    if (!s.objects.includes(c.object)) problems.push({ path: `customFields.${i}.object`, problem: `${c.object} is not one of the synced objects` });
  });
  return problems;
}
