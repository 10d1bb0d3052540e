import { chmodSync, cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ensureGoTool, goModuleDir, goToolDir, type GoTool, type Log } from './go-tools';
import { TEMPORAL_SERVER_MODULE, TEMPORAL_SERVER_VERSION, UI_SERVER_MODULE, UI_SERVER_VERSION } from './versions';

/** The programs of the cluster, and the PostgreSQL schemas shipped in the server's module. */
export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  uiServer: string;
  /** `schema/postgresql/v12` of the pinned server module: `temporal/versioned`, `visibility/versioned`. */
  schemaDir: string;
}

export const CLUSTER_TOOLS = {
  server: { name: 'temporal-server', pkg: `${TEMPORAL_SERVER_MODULE}/cmd/server`, version: TEMPORAL_SERVER_VERSION },
  sqlTool: { name: 'temporal-sql-tool', pkg: `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql`, version: TEMPORAL_SERVER_VERSION },
  uiServer: { name: 'temporal-ui-server', pkg: `${UI_SERVER_MODULE}/cmd/server`, version: UI_SERVER_VERSION },
} as const satisfies Record<string, GoTool>;

/**
 * Builds what is missing, one tool after the other (they share most dependencies, and 2 cores are
 * better used by one build at a time). A second run finds everything and returns at once.
 */
export async function ensureClusterBinaries(log: Log, signal?: AbortSignal): Promise<ClusterBinaries> {
  const server = await ensureGoTool(CLUSTER_TOOLS.server, log, signal);
  const sqlTool = await ensureGoTool(CLUSTER_TOOLS.sqlTool, log, signal);
  const uiServer = await ensureGoTool(CLUSTER_TOOLS.uiServer, log, signal);
  // The schemas are copied next to the binary, so a run needs no Go and no module cache.
  const schemaDir = path.join(goToolDir(CLUSTER_TOOLS.server), 'schema', 'postgresql', 'v12');
  if (!existsSync(path.join(schemaDir, 'visibility', 'versioned'))) {
    const moduleDir = await goModuleDir(TEMPORAL_SERVER_MODULE, TEMPORAL_SERVER_VERSION, log, signal);
    cpSync(path.join(moduleDir, 'schema', 'postgresql', 'v12'), schemaDir, { recursive: true });
    makeWritable(schemaDir);
  }
  return { server, sqlTool, uiServer, schemaDir };
}

/** The module cache is read-only; the copy must not be, or `rm -rf .tools` fails for a normal user. */
function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) makeWritable(full);
    else chmodSync(full, 0o644);
  }
}
