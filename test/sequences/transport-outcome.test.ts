import { composeMessage } from '../../integrations/mail/compose-message';
import { createGraphTransport } from '../../integrations/mail/graph-transport';
import { createSmtpTransport } from '../../integrations/mail/smtp-transport';
import { MailTransportError, type OutgoingMail } from '../../integrations/mail/transport';
import { classifyTransportError } from '../../activities/sequences/transport-outcome';
import { startSmtpSink } from '../../scripts/smtp-sink';
import { startGraphEmulator } from '../emulators/graph-emulator';
import os from 'node:os';
import path from 'node:path';

async function message(): Promise<OutgoingMail> {
  const { raw, messageId } = await composeMessage({ messageId: '<t-1@crm-workflows.local>', from: { address: 'a@crm.test' }, to: 'b@example.test', subject: 's', text: 't', unsubscribeUrl: 'http://crm.test/u/x' });
  return { from: 'a@crm.test', to: 'b@example.test', raw, messageId };
}

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (err: unknown) => err);

describe('classifyTransportError: may the message have gone out?', () => {
  it('judges real SMTP and Graph failures', async () => {
    const closed = await startSmtpSink({ port: 0, dir: path.join(os.tmpdir(), 'crm-unused-sink') });
    await closed.close();
    const refused = createSmtpTransport({ host: '127.0.0.1', port: closed.port, secure: false, timeoutMs: 2_000 });
    expect(classifyTransportError(await failure(refused.send(await message())))).toBe('not_sent');

    const creds = { tenantId: 't', clientId: 'c', clientSecret: 's' };
    const emu = await startGraphEmulator(creds);
    try {
      const graph = (secret = creds.clientSecret) => createGraphTransport({ ...creds, clientSecret: secret, mailboxAddress: 'a@crm.test', authorityUrl: emu.url, graphUrl: emu.url });
      expect(classifyTransportError(await failure(graph('wrong').send(await message())))).toBe('rejected');
      const ok = graph();
      emu.failNext(429);
      expect(classifyTransportError(await failure(ok.send(await message())))).toBe('not_sent');
      emu.failNext(503);
      expect(classifyTransportError(await failure(ok.send(await message())))).toBe('not_sent');
      emu.failNext(500);
      expect(classifyTransportError(await failure(ok.send(await message())))).toBe('unknown');
      emu.failNext(403);
      expect(classifyTransportError(await failure(ok.send(await message())))).toBe('rejected');
      expect(emu.messages).toHaveLength(0);
    } finally {
      await emu.close();
    }
  });

  it('treats anything it cannot prove as unknown (from the typed provider, stage and status, never the message)', () => {
    const e = (message: string, opts: ConstructorParameters<typeof MailTransportError>[1]) => new MailTransportError(message, opts);
    expect(classifyTransportError(e('SMTP send failed: 451 local error', { provider: 'smtp', stage: 'submit', retryable: true, status: 451 }))).toBe('not_sent');
    expect(classifyTransportError(e('SMTP send failed: 554 rejected', { provider: 'smtp', stage: 'submit', retryable: false, status: 554 }))).toBe('rejected');
    expect(classifyTransportError(e('SMTP send failed: Connection timeout', { provider: 'smtp', stage: 'connect', retryable: true, code: 'ETIMEDOUT' }))).toBe('not_sent');
    expect(classifyTransportError(e('SMTP send failed: Timeout', { provider: 'smtp', stage: 'submit', retryable: true, code: 'ETIMEDOUT' }))).toBe('unknown');
    expect(classifyTransportError(e('SMTP send failed: Connection closed unexpectedly', { provider: 'smtp', stage: 'submit', retryable: true, code: 'ECONNECTION' }))).toBe('unknown');
    expect(classifyTransportError(e('Graph token: network error: boom', { provider: 'graph', stage: 'token', retryable: true, code: 'NETWORK' }))).toBe('not_sent');
    expect(classifyTransportError(e('Graph sendMail: network error: reset', { provider: 'graph', stage: 'submit', retryable: true, code: 'NETWORK' }))).toBe('unknown');
    expect(classifyTransportError(new Error('bug'))).toBe('unknown');
    // The message no longer decides: a message that reads like a connect failure, on a submit, stays unknown.
    expect(classifyTransportError(e('SMTP send failed: Connection timeout', { provider: 'smtp', stage: 'submit', retryable: true, code: 'ETIMEDOUT' }))).toBe('unknown');
  });

  it('types real SMTP failures by stage: a refused connect and a DNS failure happen before any command', async () => {
    const closed = await startSmtpSink({ port: 0, dir: path.join(os.tmpdir(), 'crm-unused-sink') });
    await closed.close();
    const refused = await failure(createSmtpTransport({ host: '127.0.0.1', port: closed.port, secure: false, timeoutMs: 2_000 }).send(await message()));
    expect(refused).toMatchObject({ provider: 'smtp', stage: 'connect', retryable: true });
    const dns = await failure(createSmtpTransport({ host: 'no-such-host.invalid', port: 25, secure: false, timeoutMs: 2_000 }).send(await message()));
    expect(dns).toMatchObject({ provider: 'smtp', stage: 'connect' });
  });
});
