import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import path from 'node:path';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

/** Bundles test/temporal/fixture-workflows.ts (optionally with a failure converter in the sandbox), as a worker's workflowBundle. */
export async function bundleFixtureWorkflows(opts: { failureConverterPath?: string } = {}): Promise<NonNullable<WorkerOptions['workflowBundle']>> {
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'fixture-workflows.ts'), failureConverterPath: opts.failureConverterPath, logger: quiet });
  return { code };
}
