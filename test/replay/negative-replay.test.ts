import { DeterminismViolationError } from '@temporalio/workflow';
import path from 'node:path';
import { bundleWorkflowsFrom, replayAgainstBundle } from '../harness/histories';

/** The replay check can fail: a changed workflow (activities reordered) must be rejected by a committed history. */
it('a changed enrollment workflow fails replay of a committed history', async () => {
  const changed = await bundleWorkflowsFrom(path.join(__dirname, 'changed-workflow/index.ts'));
  await expect(replayAgainstBundle('enrollment-holds', changed)).rejects.toThrow(DeterminismViolationError);
}, 60_000);
