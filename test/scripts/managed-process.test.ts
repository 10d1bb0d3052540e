import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnManaged } from '../../scripts/managed-process';

/**
 * A process that closes its stdout and then writes to stderr (as a worker that logs on shutdown
 * can) must not end its log file under the later writes: "write after end" crashed the cluster
 * launcher while it stopped.
 */
it('logs stderr written after stdout closed, without a write-after-end error', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'managed-'));
  const logFile = path.join(dir, 'child.log');
  const uncaught: Error[] = [];
  const onUncaught = (err: Error) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const proc = spawnManaged('closer', '/bin/sh', ['-c', 'echo out; exec 1>&-; sleep 0.3; echo late >&2'], { logFile });
    await proc.exited;
    await new Promise((r) => setTimeout(r, 200));
    expect(uncaught).toEqual([]);
    expect(readFileSync(logFile, 'utf8')).toBe('out\nlate\n');
  } finally {
    process.off('uncaughtException', onUncaught);
    rmSync(dir, { recursive: true, force: true });
  }
});
