import { z } from 'zod';
import type { MailboxRecord as MailboxRow } from '../../db/schema';
import { MAILBOX_PROVIDERS } from '../../domain/sequences/vocabulary';
import { emailAddress } from './strings';

const email = emailAddress('sales@example.com');
const limit = z.number().int().min(1, 'must be at least 1').max(1_000_000);

const smtpSettings = z.strictObject({
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  secure: z.boolean(),
  user: z.string().min(1).max(320).nullable().optional(),
  password: z.string().min(1).max(1000).nullable().optional(),
});

const m365Settings = z.strictObject({
  tenantId: z.string().trim().min(1).max(200),
  clientId: z.string().trim().min(1).max(200),
  clientSecret: z.string().min(1).max(1000),
});

const base = {
  address: email,
  displayName: z.string().trim().min(1).max(200).nullable().optional(),
  connected: z.boolean(),
  syncEnabled: z.boolean(),
  dailyLimit: limit.optional(),
  perMinuteLimit: limit.optional(),
};

// The settings block must match the provider; the wrong one is named so the client knows what to drop.
export const createMailboxBody = z
  .strictObject({ provider: z.enum(MAILBOX_PROVIDERS), ...base, smtp: smtpSettings.optional(), m365: m365Settings.optional() })
  .superRefine((b, ctx) => {
    const own = b.provider === 'smtp' ? 'smtp' : 'm365';
    const other = b.provider === 'smtp' ? 'm365' : 'smtp';
    if (b[own] === undefined) ctx.addIssue({ code: 'custom', path: [own], message: `required when provider is "${b.provider}"` });
    if (b[other] !== undefined) ctx.addIssue({ code: 'custom', path: [other], message: `not allowed when provider is "${b.provider}"` });
  });

/** PATCH: the provider is fixed; an omitted secret keeps the stored one. */
export const updateMailboxBody = z
  .strictObject({
    address: base.address.optional(),
    displayName: base.displayName,
    connected: z.boolean().optional(),
    syncEnabled: z.boolean().optional(),
    dailyLimit: base.dailyLimit,
    perMinuteLimit: base.perMinuteLimit,
    smtp: smtpSettings.optional(),
    m365: m365Settings.extend({ clientSecret: m365Settings.shape.clientSecret.optional() }).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field is required' });

export type CreateMailboxBody = z.infer<typeof createMailboxBody>;
export type UpdateMailboxBody = z.infer<typeof updateMailboxBody>;

export const mailboxSchema = z
  .object({
    id: z.string(),
    provider: z.enum(MAILBOX_PROVIDERS),
    address: z.string(),
    displayName: z.string().nullable(),
    connected: z.boolean(),
    syncEnabled: z.boolean(),
    dailyLimit: z.number(),
    perMinuteLimit: z.number(),
    smtp: z.object({ host: z.string(), port: z.number(), secure: z.boolean(), user: z.string().nullable() }).optional(),
    m365: z.object({ tenantId: z.string(), clientId: z.string() }).optional(),
    /** The secret itself is write-only. */
    hasSecret: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Mailbox' });

export type MailboxJson = z.infer<typeof mailboxSchema>;

/** Non-secret settings as stored in `mailboxes.settings`. */
export interface SmtpStoredSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
}
export interface M365StoredSettings {
  tenantId: string;
  clientId: string;
}

export function toMailboxJson(row: MailboxRow): MailboxJson {
  const s = row.settings;
  return {
    id: row.id,
    provider: row.provider,
    address: row.address,
    displayName: row.display_name,
    connected: row.connected,
    syncEnabled: row.sync_enabled,
    dailyLimit: row.daily_limit,
    perMinuteLimit: row.per_minute_limit,
    ...(row.provider === 'smtp'
      ? { smtp: { host: String(s.host ?? ''), port: Number(s.port ?? 0), secure: Boolean(s.secure), user: typeof s.user === 'string' ? s.user : null } }
      : { m365: { tenantId: String(s.tenantId ?? ''), clientId: String(s.clientId ?? '') } }),
    hasSecret: row.secret !== null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
