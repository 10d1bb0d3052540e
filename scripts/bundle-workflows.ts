import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FAILURE_CONVERTER_PATH } from '../temporal/data-converter';
import { workflowsPath } from '../temporal/worker';

/** Prebuilds the workflow bundle for production workers (WORKFLOW_BUNDLE_PATH). */
export async function bundleWorkflows(outFile: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath: FAILURE_CONVERTER_PATH, logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } });
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, code);
  return outFile;
}

if (require.main === module) {
  const out = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  bundleWorkflows(out).then(
    (file) => console.log(`workflow bundle written to ${file}`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
