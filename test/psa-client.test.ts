/** PSA client against the PSA emulator: key verification, idempotency, retries, failures, webhooks. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crmKeyProof } from '../integrations/psa/api';
import { createPsaClient, type PsaClientConfig } from '../integrations/psa/client';
import { PsaAuthError, PsaRequestError, PsaUnreachableError, WRONG_KEY_MESSAGES } from '../integrations/psa/errors';
import { verifyPsaWebhookKey } from '../integrations/psa/key-check';
import { startPsaEmulator, type PsaEmulator, type PsaEmulatorOptions } from './emulators/psa-emulator';

const PSA_KEY = 'psa-key-0123456789';
const CRM_KEY = 'crm-key-9876543210';
const COMPANY = { crmCompanyId: 'co_1', name: 'Acme', domains: ['acme.test'] };

interface Receiver {
  url: string;
  received: Array<{ headers: IncomingHttpHeaders; body: unknown }>;
  /** Statuses to answer, in order; 204 once exhausted. */
  statuses: number[];
  close(): Promise<void>;
}

/** A tiny stand-in for the CRM webhook endpoint. */
async function startReceiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      res.writeHead(statuses.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/webhooks/psa`,
    received,
    statuses,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

let emulator: PsaEmulator | undefined;
let receiver: Receiver | undefined;

async function start(extra: Partial<PsaEmulatorOptions> = {}): Promise<PsaEmulator> {
  emulator = await startPsaEmulator({ psaIntegrationKey: PSA_KEY, crmIntegrationKey: CRM_KEY, webhookDelivery: 'manual', ...extra });
  return emulator;
}

function clientFor(emu: PsaEmulator, extra: Partial<PsaClientConfig> = {}) {
  return createPsaClient({ baseUrl: emu.url, psaIntegrationKey: PSA_KEY, crmIntegrationKey: CRM_KEY, retryBaseMs: 5, timeoutMs: 2000, ...extra });
}

afterEach(async () => {
  await emulator?.close();
  await receiver?.close();
  emulator = undefined;
  receiver = undefined;
});

describe('verifyIntegrationKeys', () => {
  it('is ok when both keys match', async () => {
    const emu = await start();
    await expect(clientFor(emu).verifyIntegrationKeys()).resolves.toEqual({ ok: true });
  });

  it('names PSA_INTEGRATION_KEY when the PSA rejects the CRM key', async () => {
    const emu = await start({ psaIntegrationKey: 'another-psa-key' });
    await expect(clientFor(emu).verifyIntegrationKeys()).resolves.toEqual({
      ok: false,
      wrongKey: 'PSA_INTEGRATION_KEY',
      message: WRONG_KEY_MESSAGES.PSA_INTEGRATION_KEY,
    });
    expect(WRONG_KEY_MESSAGES.PSA_INTEGRATION_KEY).toMatch(/PSA_INTEGRATION_KEY in the CRM does not match/);
  });

  it('names CRM_INTEGRATION_KEY when the PSA holds another CRM key, and detects a later fix', async () => {
    const emu = await start({ crmIntegrationKey: 'stale-crm-key' });
    const client = clientFor(emu);
    const result = await client.verifyIntegrationKeys();
    expect(result).toEqual({ ok: false, wrongKey: 'CRM_INTEGRATION_KEY', message: WRONG_KEY_MESSAGES.CRM_INTEGRATION_KEY });
    expect(WRONG_KEY_MESSAGES.CRM_INTEGRATION_KEY).toMatch(/CRM_INTEGRATION_KEY in the PSA does not match CRM_INTEGRATION_KEY in the CRM/);
    emu.setKeys({ crmIntegrationKey: CRM_KEY });
    await expect(client.verifyIntegrationKeys()).resolves.toEqual({ ok: true });
  });

  it('sends neither key in the body: the proof is an HMAC of a fresh nonce', async () => {
    const seen: string[] = [];
    const emu = await start();
    const spy: typeof fetch = (input, init) => {
      seen.push(String(init?.body));
      return fetch(input, init);
    };
    await clientFor(emu, { fetch: spy }).verifyIntegrationKeys();
    await clientFor(emu, { fetch: spy }).verifyIntegrationKeys();
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toEqual(seen[1]);
    for (const body of seen) expect(body).not.toMatch(new RegExp(`${PSA_KEY}|${CRM_KEY}`));
    expect(crmKeyProof(CRM_KEY, 'n'.repeat(16))).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('createClient', () => {
  it('is idempotent by CRM company: one client, same id, 201 then 200, deterministic idempotency key', async () => {
    const emu = await start();
    const client = clientFor(emu);
    const first = await client.createClient(COMPANY);
    const second = await client.createClient(COMPANY);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.client.id).toBe(first.client.id);
    expect(first.client).toMatchObject({ crmCompanyId: 'co_1', name: 'Acme', status: 'pending' });
    expect(emu.state.clients.size).toBe(1);
    expect(emu.state.createClientCalls).toBe(2);
    expect(emu.state.callsByIdempotencyKey.get('client:co_1')).toBe(2);
  });

  it('is found by id and by CRM company id (polling fallback), null when unknown', async () => {
    const emu = await start();
    const client = clientFor(emu);
    const { client: created } = await client.createClient(COMPANY);
    await expect(client.getClient(created.id)).resolves.toEqual(created);
    await expect(client.findClientByCrmCompanyId('co_1')).resolves.toEqual(created);
    await expect(client.getClient('psa_cl_missing')).resolves.toBeNull();
    await expect(client.findClientByCrmCompanyId('co_missing')).resolves.toBeNull();
  });

  it('throws PsaAuthError (INTEGRATION_KEY_MISMATCH) on a wrong PSA key, without retrying', async () => {
    const emu = await start({ psaIntegrationKey: 'another-psa-key' });
    const err: unknown = await clientFor(emu).createClient(COMPANY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PsaAuthError);
    expect(err).toMatchObject({ code: 'INTEGRATION_KEY_MISMATCH', status: 401, wrongKey: 'PSA_INTEGRATION_KEY' });
    expect(emu.state.requests).toBe(1);
    expect(emu.state.clients.size).toBe(0);
  });

  it('recovers from 5xx within its retries', async () => {
    const emu = await start();
    emu.setFailureMode('error5xx', { times: 2 });
    const { client, created } = await clientFor(emu, { retries: 2 }).createClient(COMPANY);
    expect(created).toBe(true);
    expect(emu.state.requests).toBe(3);
    expect(emu.state.clients.get(client.id)?.crmCompanyId).toBe('co_1');
  });

  it('throws PsaUnreachableError (PSA_UNREACHABLE) when 5xx outlasts the retries', async () => {
    const emu = await start();
    emu.setFailureMode('error5xx');
    const err: unknown = await clientFor(emu, { retries: 2 }).createClient(COMPANY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PsaUnreachableError);
    expect(err).toMatchObject({ code: 'PSA_UNREACHABLE', status: 503, attempts: 3 });
    expect(emu.state.requests).toBe(3);
    expect(emu.state.clients.size).toBe(0);
  });

  it('throws PsaUnreachableError when the PSA drops connections, and recovers once it is back', async () => {
    const emu = await start();
    const client = clientFor(emu, { retries: 1 });
    emu.setFailureMode('unreachable');
    const err: unknown = await client.createClient(COMPANY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PsaUnreachableError);
    expect(err).toMatchObject({ code: 'PSA_UNREACHABLE', attempts: 2, status: undefined });
    expect(emu.state.clients.size).toBe(0);
    emu.setFailureMode('none');
    await expect(client.createClient(COMPANY)).resolves.toMatchObject({ created: true });
  });

  it('throws PsaUnreachableError when nothing listens on the port', async () => {
    const emu = await start();
    const client = clientFor(emu, { retries: 1 });
    await emu.close();
    await expect(client.getClient('x')).rejects.toBeInstanceOf(PsaUnreachableError);
  });

  it('times out a hanging PSA per attempt', async () => {
    const emu = await start();
    emu.setFailureMode('hang');
    const startedAt = Date.now();
    const err: unknown = await clientFor(emu, { retries: 1, timeoutMs: 100 }).getClient('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PsaUnreachableError);
    expect((err as Error).message).toMatch(/TimeoutError/);
    expect(emu.state.requests).toBe(2);
    expect(Date.now() - startedAt).toBeLessThan(1500);
  });
});

describe('client.created webhook', () => {
  it('is delivered in manual mode once due, with the CRM key as bearer, and activates the client', async () => {
    receiver = await startReceiver();
    const emu = await start({ crmWebhookUrl: receiver.url, confirmationDelayMs: 30_000 });
    const client = clientFor(emu);
    const { client: created } = await client.createClient(COMPANY);
    await client.createClient(COMPANY); // replay must not schedule a second webhook
    expect(emu.pendingWebhooks()).toEqual([expect.objectContaining({ clientId: created.id, crmCompanyId: 'co_1' })]);

    await expect(emu.deliverDueWebhooks()).resolves.toBe(0); // not due yet
    expect(receiver.received).toHaveLength(0);
    await expect(client.getClient(created.id)).resolves.toMatchObject({ status: 'pending' });

    await expect(emu.deliverDueWebhooks(Date.now() + 30_000)).resolves.toBe(1);
    expect(receiver.received).toEqual([
      { headers: expect.objectContaining({ authorization: `Bearer ${CRM_KEY}` }), body: { type: 'client.created', clientId: created.id, crmCompanyId: 'co_1' } },
    ]);
    expect(verifyPsaWebhookKey(receiver.received[0]?.headers.authorization, CRM_KEY)).toBe(true);
    expect(emu.pendingWebhooks()).toEqual([]);
    await expect(client.getClient(created.id)).resolves.toMatchObject({ status: 'active' });
  });

  it('is retried when the CRM answers non-2xx', async () => {
    receiver = await startReceiver();
    receiver.statuses.push(500, 503);
    const emu = await start({ crmWebhookUrl: receiver.url, webhookRetryDelayMs: 5 });
    await clientFor(emu).createClient(COMPANY);
    await expect(emu.deliverAllWebhooks()).resolves.toBe(1);
    expect(receiver.received).toHaveLength(3);
    expect(emu.state.webhookAttempts).toBe(3);
    expect(emu.state.webhooksDelivered).toHaveLength(1);
  });

  it('is recorded as failed when the CRM keeps refusing', async () => {
    receiver = await startReceiver();
    receiver.statuses.push(401, 401, 401);
    const emu = await start({ crmWebhookUrl: receiver.url, webhookRetryDelayMs: 5, webhookAttempts: 3 });
    await clientFor(emu).createClient(COMPANY);
    await expect(emu.deliverAllWebhooks()).resolves.toBe(0);
    expect(emu.state.webhooksFailed).toEqual([expect.objectContaining({ error: 'HTTP 401' })]);
  });

  it('can be lost: the client still turns active, so only polling sees it', async () => {
    receiver = await startReceiver();
    const emu = await start({ crmWebhookUrl: receiver.url, dropWebhooks: true });
    const client = clientFor(emu);
    await client.createClient(COMPANY);
    await expect(emu.deliverAllWebhooks()).resolves.toBe(0);
    expect(receiver.received).toHaveLength(0);
    expect(emu.state.webhooksDropped).toBe(1);
    await expect(client.findClientByCrmCompanyId('co_1')).resolves.toMatchObject({ status: 'active' });
  });

  it('is delivered by a real timer after the delay in timer mode', async () => {
    receiver = await startReceiver();
    const emu = await start({ crmWebhookUrl: receiver.url, webhookDelivery: 'timer', confirmationDelayMs: 50 });
    await clientFor(emu).createClient(COMPANY);
    expect(receiver.received).toHaveLength(0);
    for (let i = 0; i < 100 && receiver.received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(receiver.received).toHaveLength(1);
    expect(emu.pendingWebhooks()).toEqual([]);
  });

  it('rejects a delay outside 0-30000 ms', async () => {
    const emu = await start();
    expect(() => emu.setConfirmationDelayMs(30_001)).toThrow(RangeError);
    await expect(startPsaEmulator({ psaIntegrationKey: 'a', crmIntegrationKey: 'b', confirmationDelayMs: -1 })).rejects.toThrow(RangeError);
  });
});

describe('upsertContact', () => {
  it('is idempotent per (client, CRM contact): same id, updated fields', async () => {
    const emu = await start();
    const client = clientFor(emu);
    const { client: psaClient } = await client.createClient(COMPANY);
    const input = { clientId: psaClient.id, crmContactId: 'ct_1', email: 'ann@acme.test', firstName: 'Ann' };
    const first = await client.upsertContact(input);
    const second = await client.upsertContact({ ...input, lastName: 'Lee' });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.contact).toEqual({ id: first.contact.id, clientId: psaClient.id, crmContactId: 'ct_1', email: 'ann@acme.test', firstName: 'Ann', lastName: 'Lee' });
    expect(emu.state.contacts.size).toBe(1);
    expect(emu.state.callsByIdempotencyKey.get(`contact:${psaClient.id}:ct_1`)).toBe(2);
  });

  it('throws PsaRequestError (no retry) for a 4xx such as a contact without a valid email', async () => {
    const emu = await start();
    const client = clientFor(emu);
    const { client: psaClient } = await client.createClient(COMPANY);
    const before = emu.state.requests;
    const err: unknown = await client.upsertContact({ clientId: psaClient.id, crmContactId: 'ct_2', email: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PsaRequestError);
    expect(err).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
    expect(emu.state.requests - before).toBe(1);
    await expect(client.upsertContact({ clientId: 'psa_cl_missing', crmContactId: 'ct_1', email: 'a@b.test' })).rejects.toMatchObject({ status: 404 });
  });
});

describe('verifyPsaWebhookKey', () => {
  it('accepts the expected key, bare or as a Bearer header', () => {
    expect(verifyPsaWebhookKey(CRM_KEY, CRM_KEY)).toBe(true);
    expect(verifyPsaWebhookKey(`Bearer ${CRM_KEY}`, CRM_KEY)).toBe(true);
  });

  it('rejects other keys, other lengths, a missing header and an unconfigured key', () => {
    expect(verifyPsaWebhookKey(`Bearer ${CRM_KEY}x`, CRM_KEY)).toBe(false);
    expect(verifyPsaWebhookKey('crm-key-0000000000', CRM_KEY)).toBe(false);
    expect(verifyPsaWebhookKey('Bearer ', CRM_KEY)).toBe(false);
    expect(verifyPsaWebhookKey(undefined, CRM_KEY)).toBe(false);
    expect(verifyPsaWebhookKey('', '')).toBe(false);
  });
});
