import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflows } from '../../../scripts/bundle-workflows';
import { ensureClusterBinaries } from '../../../scripts/cluster/binaries';
import { resolvePostgresBinDir } from '../../../scripts/tool-binaries';
import { CLUSTER_HARNESS_KEYS } from './cluster-env';

/**
 * Once per `jest` run of the cluster project: the pinned Temporal server, schema tool and UI server
 * (built on a fresh machine, ~4-8 min; cached in .tools/ afterwards) and one workflow bundle, so
 * workers that the tests kill and restart start in seconds. Each test file brings up its own cluster.
 */
export default async function clusterGlobalSetup(): Promise<void> {
  const started = Date.now();
  const log = (msg: string) => console.log(`[cluster harness] ${msg}`);
  resolvePostgresBinDir(process.env.PG_BIN_DIR);
  const binaries = await ensureClusterBinaries(log);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-cluster-test-'));
  // PostgreSQL runs as the postgres user (we are root here): it must reach its data dir through this folder.
  chmodSync(dir, 0o755);
  const bundle = await bundleWorkflows(path.join(dir, 'workflow-bundle.js'));
  Object.assign(process.env, {
    [CLUSTER_HARNESS_KEYS.binaries]: JSON.stringify(binaries),
    [CLUSTER_HARNESS_KEYS.bundle]: bundle,
    [CLUSTER_HARNESS_KEYS.dir]: dir,
  });
  log(`binaries and workflow bundle ready in ${Date.now() - started} ms (${dir})`);
}
