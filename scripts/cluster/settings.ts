import path from 'node:path';
import { z } from 'zod';
import { fixedPorts, type ClusterPorts } from './ports';

/**
 * `npm run cluster`'s own settings (the APIs and workers read the usual ones, domain/config.ts).
 * Its defaults never collide with `npm start`'s ports or data, so both can run at once.
 */
const port = z.coerce.number().int().min(1).max(65535);
export const clusterSettingsSchema = z.object({
  DATA_DIR: z.string().default('.data'),
  /** Where the cluster keeps PostgreSQL, Temporal's config, logs, keys and mail. */
  CLUSTER_DATA_DIR: z.string().optional(),
  DATABASE_URL: z.string().trim().min(1).optional().or(z.literal('').transform(() => undefined)),
  PG_BIN_DIR: z.string().trim().min(1).optional().or(z.literal('').transform(() => undefined)),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('crm'),
  CLUSTER_PGPORT: port.default(55433),
  /** Frontend gRPC; the other Temporal services use the 40 ports from here (see ports.ts). */
  CLUSTER_TEMPORAL_PORT: port.default(7300),
  CLUSTER_UI_PORT: port.default(8300),
  /** First API; the second is the next port. */
  CLUSTER_API_PORT: port.default(3100),
  CLUSTER_SMTP_SINK_PORT: port.default(2526),
  CLUSTER_PSA_EMULATOR_PORT: port.default(4011),
  CLUSTER_TEMPORAL_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('warn'),
  /** A prebuilt workflow bundle (`npm run build`); otherwise the launcher bundles once for both workers. */
  WORKFLOW_BUNDLE_PATH: z.string().trim().min(1).optional().or(z.literal('').transform(() => undefined)),
});

export interface ClusterSettings {
  dataDir: string;
  databaseUrl?: string;
  pgBinDir?: string;
  namespace: string;
  taskQueue: string;
  ports: ClusterPorts;
  temporalLogLevel: string;
  workflowBundlePath?: string;
}

export function loadClusterSettings(env: Record<string, string | undefined> = process.env, projectRoot = process.cwd()): ClusterSettings {
  const parsed = clusterSettingsSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid configuration:\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
  const s = parsed.data;
  return {
    dataDir: path.resolve(projectRoot, s.CLUSTER_DATA_DIR ?? path.join(s.DATA_DIR, 'cluster')),
    databaseUrl: s.DATABASE_URL,
    pgBinDir: s.PG_BIN_DIR,
    namespace: s.TEMPORAL_NAMESPACE,
    taskQueue: s.TEMPORAL_TASK_QUEUE,
    ports: fixedPorts({ postgres: s.CLUSTER_PGPORT, temporalBase: s.CLUSTER_TEMPORAL_PORT, ui: s.CLUSTER_UI_PORT, apiBase: s.CLUSTER_API_PORT, smtpSink: s.CLUSTER_SMTP_SINK_PORT, psaEmulator: s.CLUSTER_PSA_EMULATOR_PORT }),
    temporalLogLevel: s.CLUSTER_TEMPORAL_LOG_LEVEL,
    workflowBundlePath: s.WORKFLOW_BUNDLE_PATH,
  };
}
