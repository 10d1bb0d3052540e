import { rmSync } from 'node:fs';
import { CLUSTER_HARNESS_KEYS } from './cluster-env';

export default function clusterGlobalTeardown(): void {
  const dir = process.env[CLUSTER_HARNESS_KEYS.dir];
  if (dir && !process.env.KEEP_TEST_DATA) rmSync(dir, { recursive: true, force: true });
}
