/**
 * The failure-scrubbing interceptor on a real worker: an activity sends mail through the real SMTP
 * transport to a server that rejects the recipient with a 550 quoting the address, and fails quoting
 * the address and the contact's registered names. Neither the raw history (read with the gRPC API)
 * nor what the client decodes holds any of them; the failure's type, retry flag and codes survive.
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createSmtpTransport } from '../../integrations/mail/smtp-transport';
import type { MailTransportError } from '../../integrations/mail/transport';
import { rememberPersonalData } from '../../activities/scrub/personal-data-registry';
import { testConfig } from '../harness/config';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { connectTestClient, startTestWorker, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';
import { bundleFixtureWorkflows } from '../temporal/fixture-bundle';
import type { FixtureActivities } from '../temporal/fixture-workflows';
import { rawHistory } from '../temporal/raw-history';

const RUN = randomBytes(3).toString('hex');
/** The "database": the activity loads the contact by id, as real activities do. */
const CONTACT = { id: 'contact-1', firstName: 'Zenobia', lastName: `Quillfeather${RUN}`, email: `zenobia.q.${RUN}@privacy.example` };
const FORBIDDEN = [CONTACT.email, CONTACT.email.split('@')[0] as string, CONTACT.firstName, CONTACT.lastName, encodeURIComponent(CONTACT.email)];

let smtp: SMTPServer;
let smtpPort: number;
let tdb: TestDatabase;
let temporalClient: Awaited<ReturnType<typeof connectTestClient>>;
let client: Client;
let scrubbing: RunningWorker;
let plain: RunningWorker;

/** `ref` = "<how>:<contactId>": wrapped rethrows as an ApplicationFailure with details, raw rethrows the transport error. */
const activities: FixtureActivities = {
  echo: async (value) => value,
  fail: async (ref) => {
    const [how, contactId] = ref.split(':');
    if (contactId !== CONTACT.id) throw new Error('unknown contact');
    const contact = CONTACT;
    rememberPersonalData(contact.firstName, contact.lastName, contact.email);
    const transport = createSmtpTransport({ host: '127.0.0.1', port: smtpPort, secure: false, timeoutMs: 5000 });
    try {
      const raw = Buffer.from(`From: crm@sender.example\r\nTo: ${contact.firstName} ${contact.lastName} <${contact.email}>\r\nSubject: Hello ${contact.firstName}\r\nMessage-ID: <m-${RUN}@crm>\r\n\r\nHi\r\n`);
      await transport.send({ from: 'crm@sender.example', to: contact.email, raw, messageId: `<m-${RUN}@crm>` });
    } catch (err) {
      if (how === 'raw') throw err;
      const transportError = err as MailTransportError;
      throw ApplicationFailure.create({
        type: 'MailRejected',
        message: `Mail to ${contact.firstName} ${contact.lastName} <${contact.email}> was rejected: ${transportError.message}`,
        nonRetryable: !transportError.retryable,
        details: [{ status: transportError.status, recipient: contact.email, greeting: `Dear ${contact.firstName}` }],
        cause: transportError,
      });
    } finally {
      transport.close();
    }
  },
};

beforeAll(async () => {
  smtp = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    closeTimeout: 1000,
    onRcptTo(address, _session, callback) {
      // What Postfix answers for a mailbox it does not have: the address, quoted back. (Not Postfix's
      // "User unknown ..." wording: the SDK's stack-trace cutoff drops every line containing "unknown".)
      callback(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: no such user here`), { responseCode: 550 }));
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  smtpPort = (smtp.server.address() as AddressInfo).port;

  tdb = await createTestDatabase();
  temporalClient = await connectTestClient();
  client = temporalClient.client;
  const workflowBundle = await bundleFixtureWorkflows();
  const deps = { db: tdb.db, config: testConfig() };
  // The worker factory installs the scrubbing interceptor on every worker; the control worker opts out explicitly.
  scrubbing = await startTestWorker({ deps, taskQueue: uniqueTaskQueue('scrub'), activities, workerOptions: { workflowBundle } });
  plain = await startTestWorker({ deps, taskQueue: uniqueTaskQueue('no-scrub'), activities, workerOptions: { workflowBundle, interceptors: { activity: [] } } });
}, 120_000);
afterAll(async () => {
  await Promise.all([scrubbing?.stop(), plain?.stop()]);
  await temporalClient?.close();
  await tdb?.drop();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

async function runFailing(taskQueue: string, ref: string): Promise<{ error: WorkflowFailedError; bytes: Buffer }> {
  const workflowId = `scrub-${ref.replace(':', '-')}-${randomBytes(3).toString('hex')}`;
  const handle = await client.workflow.start('failingActivityWorkflow', { taskQueue, workflowId, args: [ref] });
  const error = await handle.result().then(
    () => {
      throw new Error('the workflow was expected to fail');
    },
    (err: unknown) => err as WorkflowFailedError,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return { error, bytes: (await rawHistory(client, workflowId)).bytes };
}

function expectNoPersonalData(bytes: Buffer, decoded: unknown): void {
  const text = JSON.stringify(decoded, (_k, v: unknown) => (v instanceof Error ? { ...v, message: v.message, stack: v.stack, cause: v.cause } : v));
  for (const value of FORBIDDEN) {
    expect(bytes.includes(value)).toBe(false);
    expect(text.toLowerCase()).not.toContain(value.toLowerCase());
  }
}

describe('activity failures scrubbed by the interceptor', () => {
  it('an ApplicationFailure quoting the address and names: scrubbed message, details and cause; type and retry flag kept', async () => {
    const { error, bytes } = await runFailing(scrubbing.taskQueue, `wrapped:${CONTACT.id}`);
    const activityFailure = error.cause as ActivityFailure;
    expect(activityFailure).toBeInstanceOf(ActivityFailure);
    const failure = activityFailure.cause as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('MailRejected');
    expect(failure.nonRetryable).toBe(true); // 5xx: permanent
    expect(failure.message).toMatch(/^Mail to \[redacted\] \[redacted\] <\[email\]> was rejected: SMTP send failed: .*550 5\.1\.1 <\[email\]>: Recipient address rejected/);
    expect(failure.details).toEqual([{ status: 550, recipient: '[email]', greeting: 'Dear [redacted]' }]);
    // A cause that is a plain Error travels without a type; its message is scrubbed like the rest.
    expect(failure.cause?.message).toMatch(/^SMTP send failed: .*<\[email\]>: Recipient address rejected/);
    expect(failure.stack).toMatch(/^ApplicationFailure: Mail to \[redacted\] \[redacted\] <\[email\]>/);
    expect(bytes.includes('Recipient address rejected')).toBe(true); // the diagnostic itself survives
    expectNoPersonalData(bytes, error);
  });

  it('a raw transport error (plain Error subclass with a cause chain) is scrubbed the same way', async () => {
    const { error, bytes } = await runFailing(scrubbing.taskQueue, `raw:${CONTACT.id}`);
    const failure = (error.cause as ActivityFailure).cause as ApplicationFailure;
    expect(failure.type).toBe('MailTransportError');
    expect(failure.message).toMatch(/^SMTP send failed: .*<\[email\]>: Recipient address rejected/);
    expect(failure.stack).toMatch(/^MailTransportError: SMTP send failed: .*<\[email\]>: Recipient address rejected.*\n\s+at /);
    // nodemailer's own error, the cause, is scrubbed too.
    expect(failure.cause?.message).toMatch(/^Can't send mail - all recipients were rejected: 550 5\.1\.1 <\[email\]>/);
    expectNoPersonalData(bytes, error);
  });

  it('without the interceptor the same failure carries the address and names (what the interceptor prevents)', async () => {
    const { bytes } = await runFailing(plain.taskQueue, `wrapped:${CONTACT.id}`);
    expect(bytes.includes(CONTACT.email)).toBe(true);
    expect(bytes.includes(CONTACT.lastName)).toBe(true);
  });
});
