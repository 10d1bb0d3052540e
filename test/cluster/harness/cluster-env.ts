import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import type { ClusterBinaries } from '../../../scripts/cluster/binaries';

/** What the cluster project's global setup hands to its test files (through the environment). */
export const CLUSTER_HARNESS_KEYS = { binaries: 'CLUSTER_TEST_BINARIES', bundle: 'CLUSTER_TEST_BUNDLE', dir: 'CLUSTER_TEST_DIR' } as const;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through jest (the cluster project's global setup builds the server).`);
  return value;
}

export const clusterBinaries = (): ClusterBinaries => JSON.parse(required(CLUSTER_HARNESS_KEYS.binaries)) as ClusterBinaries;
export const workflowBundlePath = (): string => required(CLUSTER_HARNESS_KEYS.bundle);
/** A fresh folder for one cluster's data, inside the run's folder (removed by the global teardown). */
export const clusterDataDir = (name: string): string => mkdtempSync(path.join(required(CLUSTER_HARNESS_KEYS.dir), `${name}-`));
