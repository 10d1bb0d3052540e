/**
 * The payload codec end to end on the real Temporal dev server: what the server stores (the raw
 * history, read with the gRPC API, no codec in between) holds neither the workflow's input nor its
 * result nor an activity's failure message, and a client with the same data converter reads all of them.
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { randomBytes } from 'node:crypto';
import { connectTemporal, type TemporalClient } from '../../temporal/client';
import { dataConverter as dataConverterOf, FAILURE_CONVERTER_PATH } from '../../temporal/data-converter';
import { AesGcmPayloadCodec } from '../../temporal/codec/encryption-codec';
import type { PayloadKeyRing } from '../../domain/payload-keys';
import { testConfig } from '../harness/config';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { connectTestClient, startTestWorker, testTemporalTarget, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';
import { bundleFixtureWorkflows } from './fixture-bundle';
import { rawHistory } from './raw-history';
import type { FixtureActivities } from './fixture-workflows';

const RUN = randomBytes(4).toString('hex');
/** Distinctive strings: finding one in the raw history can only mean it leaked. */
const INPUT = { email: `grace.hopper.${RUN}@example.com`, note: `cobol-compiler-notes-${RUN}` };
const FAILURE_TEXT = `mailbox of ursula.franklin.${RUN}@example.com is full`;

const ring: PayloadKeyRing = { encryptKeyId: 'k1', keys: new Map([['k1', randomBytes(32)]]) };
const activities: FixtureActivities = {
  echo: async (value) => value,
  fail: async () => {
    throw new Error(FAILURE_TEXT);
  },
};

let tdb: TestDatabase;
let temporalClient: Awaited<ReturnType<typeof connectTestClient>>;
let codecClient: Client;
const clients: TemporalClient[] = [];
const clientWith = async (keys: PayloadKeyRing | undefined) => {
  const c = await connectTemporal({ ...testTemporalTarget(), settings: { TEMPORAL_PAYLOAD_KEY: keys } });
  clients.push(c);
  return c.client;
};
const workers: RunningWorker[] = [];

async function startWorker(name: string, dataConverter: ReturnType<typeof dataConverterOf>, workflowBundle: Awaited<ReturnType<typeof bundleFixtureWorkflows>>): Promise<RunningWorker> {
  const worker = await startTestWorker({ deps: { db: tdb.db, config: testConfig() }, taskQueue: uniqueTaskQueue(name), activities, workerOptions: { dataConverter, workflowBundle, interceptors: { activity: [] } } }); // the codec alone, without the scrubber
  workers.push(worker);
  return worker;
}

const encodingOf = (payload: temporal.api.common.v1.IPayload | null | undefined): string => Buffer.from(payload?.metadata?.encoding ?? []).toString('utf8');

let encrypting: RunningWorker;
let codecOnly: RunningWorker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  temporalClient = await connectTestClient();
  codecClient = await clientWith(ring);
  const bundle = await bundleFixtureWorkflows({ failureConverterPath: FAILURE_CONVERTER_PATH });
  encrypting = await startWorker('codec', dataConverterOf({ TEMPORAL_PAYLOAD_KEY: ring }), bundle);
  // The codec without the failure converter: shows that encoding failure attributes is what hides messages.
  codecOnly = await startWorker('codec-only', { payloadCodecs: [new AesGcmPayloadCodec(ring)] }, bundle);
}, 120_000);
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all(clients.map((c) => c.close()));
  await temporalClient?.close();
  await tdb?.drop();
});

describe('payload codec on a real workflow', () => {
  it('stores input and result encrypted; the same client reads them back', async () => {
    const handle = await codecClient.workflow.start('echoWorkflow', { taskQueue: encrypting.taskQueue, workflowId: `codec-echo-${RUN}`, args: [INPUT] });
    await expect(handle.result()).resolves.toEqual(INPUT);

    const { bytes, events } = await rawHistory(temporalClient.client, handle.workflowId);
    for (const needle of [INPUT.email, INPUT.note, 'grace.hopper', 'cobol-compiler', 'json/plain']) expect(bytes.includes(needle)).toBe(false);
    const started = events.find((e) => e.workflowExecutionStartedEventAttributes)?.workflowExecutionStartedEventAttributes;
    const completed = events.find((e) => e.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes;
    expect(encodingOf(started?.input?.payloads?.[0])).toBe('binary/encrypted');
    expect(encodingOf(completed?.result?.payloads?.[0])).toBe('binary/encrypted');
    expect(Buffer.from(started?.input?.payloads?.[0]?.metadata?.['encryption-key-id'] ?? []).toString()).toBe('k1');
  });

  it('the byte check can fail: a client without the codec writes its input in clear', async () => {
    const plainClient = await clientWith(undefined);
    const handle = await plainClient.workflow.start('echoWorkflow', { taskQueue: encrypting.taskQueue, workflowId: `codec-plain-${RUN}`, args: [INPUT] });
    // The worker decodes the unencrypted input (pass-through) and encrypts the result; only the codec client reads that.
    await expect(codecClient.workflow.getHandle(handle.workflowId).result()).resolves.toEqual(INPUT);
    const { bytes } = await rawHistory(temporalClient.client, handle.workflowId);
    expect(bytes.includes(INPUT.email)).toBe(true);
  });

  it("encodes an activity failure's message and stack: unreadable in history, readable through the client", async () => {
    const handle = await codecClient.workflow.start('failingActivityWorkflow', { taskQueue: encrypting.taskQueue, workflowId: `codec-fail-${RUN}`, args: ['ref-1'] });
    const error = await handle.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (error as WorkflowFailedError).cause as ActivityFailure;
    expect(activityFailure).toBeInstanceOf(ActivityFailure);
    expect(activityFailure.cause).toBeInstanceOf(ApplicationFailure);
    expect((activityFailure.cause as ApplicationFailure).message).toBe(FAILURE_TEXT);

    const { bytes, events } = await rawHistory(temporalClient.client, handle.workflowId);
    expect(bytes.includes('ursula.franklin')).toBe(false);
    expect(bytes.includes('is full')).toBe(false);
    const failed = events.find((e) => e.activityTaskFailedEventAttributes)?.activityTaskFailedEventAttributes?.failure;
    expect(failed?.message).toBe('Encoded failure');
    expect(failed?.stackTrace).toBe('');
    expect(encodingOf(failed?.encodedAttributes)).toBe('binary/encrypted');
  });

  it('without the failure converter the same failure message is in clear (what the converter prevents)', async () => {
    const handle = await codecClient.workflow.start('failingActivityWorkflow', { taskQueue: codecOnly.taskQueue, workflowId: `codec-only-fail-${RUN}`, args: ['ref-2'] });
    await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
    const { bytes } = await rawHistory(temporalClient.client, handle.workflowId);
    expect(bytes.includes(FAILURE_TEXT)).toBe(true);
  });
});
