import { testConfig } from '../harness/config';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { connectTestClient, startTestWorker, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';

let tdb: TestDatabase;
let worker: RunningWorker;
let temporal: Awaited<ReturnType<typeof connectTestClient>>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  temporal = await connectTestClient();
  worker = await startTestWorker({ deps: { db: tdb.db, config: testConfig() }, taskQueue: uniqueTaskQueue('worker') });
});
afterAll(async () => {
  await worker.stop();
  await temporal.close();
  await tdb.drop();
});

describe('worker', () => {
  it('runs workflows from the prebuilt bundle on its task queue', async () => {
    const result = await temporal.client.workflow.execute('noopWorkflow', { taskQueue: worker.taskQueue, workflowId: `noop-${Date.now()}` });
    expect(result).toBe('ok');
  });

  it('stops gracefully: shutdown resolves and the worker ends STOPPED', async () => {
    const extra = await startTestWorker({ deps: { db: tdb.db, config: testConfig() }, taskQueue: uniqueTaskQueue('drain') });
    expect(extra.worker.getState()).toBe('RUNNING');
    await extra.stop();
    expect(extra.worker.getState()).toBe('STOPPED');
  });
});
