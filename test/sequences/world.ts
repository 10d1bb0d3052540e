/**
 * Everything an enrollment test needs: a fresh database, the API, a worker on a private task queue,
 * and a real SMTP sink writing .eml files. `timeSkipping: true` runs on Temporal's time-skipping
 * test server (timers jump); otherwise on the shared dev server (real time).
 */
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ActivityDeps } from '../../activities/deps';
import { createActivities } from '../../activities';
import type { AppConfig } from '../../domain/config';
import { startSmtpSink, type SmtpSink } from '../../scripts/smtp-sink';
import { type RoleKeys, call, createRoleKeys, createTestApp } from '../harness/api';
import { testConfig } from '../harness/config';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { connectTestClient, createTimeSkippingEnv, startTestWorker, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';
import { emlFiles, smtpMailbox } from './helpers';

export interface World {
  app: FastifyInstance;
  tdb: TestDatabase;
  keys: RoleKeys;
  config: AppConfig;
  client: Client;
  env?: TestWorkflowEnvironment;
  worker: RunningWorker;
  sink: SmtpSink;
  mailDir: string;
  emails(): Promise<string[]>;
  /** Creates a connected SMTP mailbox on the sink and returns its id. */
  mailbox(overrides?: Record<string, unknown>): Promise<string>;
  /** Creates and activates a sequence; returns it as the API shows it. */
  sequence(body: Record<string, unknown>): Promise<{ id: string; steps: { id: string }[] }>;
  close(): Promise<void>;
}

export async function createWorld(opts: { name: string; timeSkipping?: boolean; deps?: Partial<ActivityDeps> }): Promise<World> {
  const tdb = await createTestDatabase();
  const taskQueue = uniqueTaskQueue(opts.name);
  const config = testConfig({ TEMPORAL_TASK_QUEUE: taskQueue });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `crm-${opts.name}-`));
  const mailDir = path.join(dir, 'mail');
  const sink = await startSmtpSink({ port: 0, dir: mailDir });

  let env: TestWorkflowEnvironment | undefined;
  let client: Client;
  let closeClient: () => Promise<void>;
  if (opts.timeSkipping) {
    env = await createTimeSkippingEnv();
    client = env.client;
    closeClient = () => env!.teardown();
  } else {
    const c = await connectTestClient();
    client = c.client;
    closeClient = c.close;
  }
  const deps: ActivityDeps = { db: tdb.db, config, ...opts.deps };
  const worker = await startTestWorker({ deps, taskQueue, connection: env?.nativeConnection, activities: env ? holdClockDuringActivities(env, createActivities(deps)) : undefined });
  const app = await createTestApp({ db: tdb.db, temporal: client, config });
  const keys = await createRoleKeys(tdb.db);

  return {
    app, tdb, keys, config, client, env, worker, sink, mailDir,
    emails: () => emlFiles(mailDir),
    mailbox: async (overrides = {}) => (await call(app, keys.admin, 'POST', '/v1/mailboxes', smtpMailbox(sink.port, overrides), 201)).json().id,
    sequence: async (body) => {
      const seq = (await call(app, keys.admin, 'POST', '/v1/sequences', body, 201)).json();
      await call(app, keys.admin, 'POST', `/v1/sequences/${seq.id}/activate`, undefined, 200);
      return seq;
    },
    close: async () => {
      await app.close();
      await worker.stop();
      await closeClient();
      await sink.close();
      await tdb.drop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The time-skipping server does not count a running activity as busy: while one runs, it may jump
 * to the next timer (even a workflow's 10-year default timeout). Real activities take real time,
 * so the clock is held while each runs, as the Java SDK's test worker does.
 */
function holdClockDuringActivities<T extends Record<string, (...args: never[]) => Promise<unknown>>>(env: TestWorkflowEnvironment, activities: T): T {
  const test = env.connection.testService!;
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (...args: never[]) => {
        await test.lockTimeSkipping({});
        try {
          return await fn(...args);
        } finally {
          await test.unlockTimeSkipping({});
        }
      },
    ]),
  ) as T;
}

/** Enrolls one contact and returns the enrollment id (fails the test when rejected). */
export async function enrollOne(world: World, sequenceId: string, contactId: string): Promise<string> {
  const res = await call(world.app, world.keys.rep, 'POST', `/v1/sequences/${sequenceId}/enrollments`, { contactIds: [contactId] }, 200);
  const [result] = res.json().results;
  if (result.status !== 'enrolled') throw new Error(`not enrolled: ${JSON.stringify(result)}`);
  return result.enrollmentId;
}

export async function getEnrollment(world: World, id: string) {
  return (await call(world.app, world.keys.rep, 'GET', `/v1/enrollments/${id}`, undefined, 200)).json();
}
