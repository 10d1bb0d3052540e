import { z } from 'zod';
import { optionalPayloadKeysSchema } from './payload-keys';
import { decodeSecretsKey } from './secrets-key';
import { parseIsoDuration } from './duration';
import { mergeRetentionRules, retentionRulesSchema } from './erasure/retention';

/**
 * Every setting is an environment variable, parsed once here and injected.
 * Documented in the README's configuration table; keep the two in step.
 */
const port = z.coerce.number().int().min(1).max(65535);
const optionalString = z.string().trim().min(1).optional().or(z.literal('').transform(() => undefined));

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('.data'),

  HOST: z.string().default('127.0.0.1'),
  PORT: port.default(3000),
  PUBLIC_BASE_URL: z.string().url().optional(),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  /** Writes per API key per minute, across all write routes (per API process). */
  WRITE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(300),
  /** Requests per client address per minute to public endpoints (webhooks, unsubscribe links, docs). */
  PUBLIC_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Failed authentications per client address per minute before the address gets 429s. */
  AUTH_FAILURE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(20),

  DATABASE_URL: optionalString,
  PGPORT: port.default(55432),
  PG_BIN_DIR: optionalString,

  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('crm'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_TEST_SERVER_PATH: optionalString,
  WORKFLOW_BUNDLE_PATH: optionalString,
  /** Keys of the Temporal payload codec ("k2:<base64>,k1:<base64>", newest first); unset: payloads in clear. Parsed to a key ring. */
  TEMPORAL_PAYLOAD_KEY: optionalPayloadKeysSchema,
  /** The worker's Prometheus endpoint (GET /metrics: ours and the Temporal SDK's); unset or 0: none. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** Where that endpoint listens; it has no authentication, so keep it on a private interface. */
  WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
  /** Workflows kept in the worker's cache; bounds worker memory with many sleeping enrollments. */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(1000),
  /** How often the worker's Schedule reconciles workflows stopped in Temporal (ISO-8601), or `off`. Parsed to ms | null. */
  RECONCILE_EVERY: z
    .string()
    .default('PT1M')
    .transform((value, ctx) => {
      if (value === 'off') return null;
      const parsed = parseIsoDuration(value);
      if (!parsed.ok || parsed.ms < 10_000) {
        ctx.addIssue({ code: 'custom', message: parsed.ok ? `"${value}" is shorter than 10 seconds` : `${parsed.error} (or "off")` });
        return z.NEVER;
      }
      return parsed.ms;
    }),

  TRACKING_SECRET: optionalString,
  MAIL_WEBHOOK_SECRET: optionalString,
  ERASURE_HASH_SECRET: optionalString,
  /** Base64 of 32 bytes: encrypts mailbox credentials at rest (AES-256-GCM). */
  SECRETS_KEY: optionalString.refine((v) => v === undefined || decodeSecretsKey(v) !== undefined, { message: 'must be the base64 encoding of 32 bytes (openssl rand -base64 32)' }),
  SMTP_SINK_PORT: port.default(2525),

  PSA_API_URL: optionalString,
  PSA_INTEGRATION_KEY: optionalString,
  CRM_INTEGRATION_KEY: optionalString,
  PSA_EMULATOR_PORT: port.default(4010),
  PSA_CONFIRMATION_TIMEOUT: z.string().default('PT5M'),

  /** Duplicates and import (README "Duplicates, merge and CSV import"). */
  DEDUP_SCAN_AT: z.string().regex(/^(off|([01]\d|2[0-3]):[0-5]\d)$/, 'must be HH:MM (UTC) or off').default('03:00'),
  DEDUP_NAME_MAX_DISTANCE: z.coerce.number().int().min(0).max(5).default(2),
  DEDUP_NAME_ONLY_MAX_PEOPLE: z.coerce.number().int().min(0).max(20).default(2),
  MERGE_UNDO_WINDOW: z.string().default('P30D').refine((v) => parseIsoDuration(v).ok, { message: 'must be an ISO-8601 duration such as P30D' }),
  IMPORT_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(5_000),
  IMPORT_MAX_ROWS: z.coerce.number().int().min(1).default(1_000_000),
  IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).default(200 * 1024 * 1024),

  /** GDPR erasure (README "GDPR erasure"). Books: unset URL makes `npm start` run the Books emulator. */
  BOOKS_API_URL: optionalString,
  BOOKS_API_KEY: optionalString,
  BOOKS_EMULATOR_PORT: port.default(4020),
  /** Origins of the Temporal Web UI allowed to call the codec server (comma-separated); `npm start` sets its dev UI. */
  TEMPORAL_UI_ORIGIN: optionalString,
  /** JSON { "<jurisdiction>": { years, from: issue_date|end_of_year, legalBasis } } laid over the defaults (domain/erasure/retention.ts). */
  ERASURE_RETENTION_RULES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return mergeRetentionRules(undefined);
      let json: unknown;
      try {
        json = JSON.parse(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON: { "DE": { "years": 8, "from": "end_of_year", "legalBasis": "…" } }' });
        return z.NEVER;
      }
      const parsed = retentionRulesSchema.safeParse(json);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: `${issue.path.join('.')}: ${issue.message}` });
        return z.NEVER;
      }
      return mergeRetentionRules(parsed.data);
    }),
  /** How long erasure waits for an ended enrollment's workflow to close before it terminates it (ISO-8601). */
  ERASURE_ENROLLMENT_STOP_TIMEOUT: z.string().default('PT1M').refine((v) => parseIsoDuration(v).ok, { message: 'must be an ISO-8601 duration such as PT1M' }),
  /** Daily run (HH:MM UTC) of the `erasure-retention-sweep` Schedule, or off. */
  ERASURE_RETENTION_SWEEP_AT: z.string().regex(/^(off|([01]\d|2[0-3]):[0-5]\d)$/, 'must be HH:MM (UTC) or off').default('04:30'),
  /** CRM sync (README "CRM sync with Salesforce"). Unset SALESFORCE_LOGIN_URL: npm start runs the Salesforce emulator and a dev connector on it. */
  SALESFORCE_LOGIN_URL: optionalString,
  SALESFORCE_CLIENT_ID: optionalString,
  SALESFORCE_CLIENT_SECRET: optionalString,
  SALESFORCE_EMULATOR_PORT: port.default(4030),
  /** Records per Bulk API 2.0 results page of a full load (one transaction each). */
  CRM_SYNC_BULK_PAGE_SIZE: z.coerce.number().int().min(100).max(100_000).default(5_000),
  /** Days earlier CRM snapshots (and the push log) are kept: the history and replay window; older ones are pruned. */
  CRM_SYNC_SNAPSHOT_RETENTION: z.coerce.number().int().min(1).max(3650).default(30),
}).superRefine((c, ctx) => {
  // Production has no launcher to fill these in: refuse to start without them.
  if (c.NODE_ENV !== 'production') return;
  for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TRACKING_SECRET', 'MAIL_WEBHOOK_SECRET', 'PUBLIC_BASE_URL', 'SECRETS_KEY', 'ERASURE_HASH_SECRET', 'TEMPORAL_PAYLOAD_KEY'] as const) {
    if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when NODE_ENV=production' });
  }
});

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses the environment once; a bad value fails fast with the variable's name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

/** Settings a running service cannot do without; the launcher fills them in development. */
export function requireSetting<K extends keyof AppConfig>(config: Pick<AppConfig, K>, key: K): NonNullable<AppConfig[K]> {
  const value = config[key];
  if (value === undefined || value === null || value === '') {
    throw new ConfigError(`${String(key)} is not set. Set it in the environment (npm start sets it for development).`);
  }
  return value as NonNullable<AppConfig[K]>;
}
