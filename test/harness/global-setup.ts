import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { bundleWorkflows } from '../../scripts/bundle-workflows';
import { freePort } from '../../scripts/free-port';
import { ensureDatabase, startPostgres } from '../../scripts/postgres-server';
import { startTemporalDevServer } from '../../scripts/temporal-dev-server';
import { resolvePostgresBinDir, resolveTemporalCli, resolveTestServer } from '../../scripts/tool-binaries';
import { TEMPLATE_DB, type HarnessHandles } from './harness-env';

/**
 * Once per `jest` run: one private PostgreSQL (migrated template database), one Temporal dev
 * server, the time-skipping test server binary, and one prebuilt workflow bundle.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-test-'));
  const [pgPort, temporalPort] = await Promise.all([freePort(), freePort()]);
  const password = 'test-only-password';

  const temporalCli = resolveTemporalCli(process.env.TEMPORAL_CLI_PATH);
  const testServer = resolveTestServer(process.env.TEMPORAL_TEST_SERVER_PATH);

  const results = await Promise.allSettled([
    startPostgres({ binDir: resolvePostgresBinDir(process.env.PG_BIN_DIR), dataDir: path.join(dir, 'pg'), port: pgPort, password, logFile: path.join(dir, 'postgres.log'), ephemeral: true }),
    startTemporalDevServer({ cliPath: temporalCli, port: temporalPort, namespace: 'default', logFile: path.join(dir, 'temporal.log') }),
    bundleWorkflows(path.join(dir, 'workflow-bundle.js')),
  ] as const);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    // Jest skips the teardown when setup fails: stop whatever did start, or it outlives the run.
    const [pgResult, temporalResult] = results;
    await Promise.allSettled([pgResult.status === 'fulfilled' ? pgResult.value.stop() : undefined, temporalResult.status === 'fulfilled' ? temporalResult.value.stop() : undefined]);
    throw (failed as PromiseRejectedResult).reason;
  }
  const [pg, temporal, bundlePath] = results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [Awaited<ReturnType<typeof startPostgres>>, Awaited<ReturnType<typeof startTemporalDevServer>>, string];

  await ensureDatabase(pg.url('postgres'), TEMPLATE_DB);
  const templateDb = createDatabase(pg.url(TEMPLATE_DB), { max: 1 });
  await migrateToLatest(templateDb);
  await templateDb.destroy();

  const handles: HarnessHandles = { pg, temporal, dir };
  (globalThis as { __crmHarness?: HarnessHandles }).__crmHarness = handles;
  Object.assign(process.env, {
    TEST_PG_ADMIN_URL: pg.url('postgres'),
    TEST_PG_URL_TEMPLATE: pg.url('__DB__'),
    TEST_TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TEST_SERVER_PATH: testServer,
    TEMPORAL_CLI_PATH: temporalCli,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    TEST_RUN_DIR: dir,
  });
  console.log(`\n[harness] PostgreSQL :${pgPort}, Temporal ${temporal.address}, bundle ready in ${Date.now() - started} ms (${dir})`);
}
