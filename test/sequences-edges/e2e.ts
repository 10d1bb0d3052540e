import type { FastifyInstance } from 'fastify';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { readMessageId } from '../../scripts/smtp-sink';
import { callJson } from '../harness/api';

/** Helpers for the tests that run real workers against the SMTP sink. */

/** An SMTP mailbox on the given port and an active sequence on it, through the API. */
export async function activeSequence(app: FastifyInstance, adminKey: string, smtpPort: number, steps: Record<string, unknown>[]): Promise<{ mailboxId: string; sequenceId: string; stepIds: string[] }> {
  const mailbox = await callJson(app, adminKey, 'POST', '/v1/mailboxes', { provider: 'smtp', address: 'sales@crm.test', displayName: 'Sales', connected: true, syncEnabled: true, dailyLimit: 100_000, perMinuteLimit: 100_000, smtp: { host: '127.0.0.1', port: smtpPort, secure: false } }, 201);
  const sequence = await callJson(app, adminKey, 'POST', '/v1/sequences', { name: 'Edge e2e', mailboxId: mailbox.id, steps, sendWindow: null }, 201);
  await callJson(app, adminKey, 'POST', `/v1/sequences/${sequence.id}/activate`, undefined, 200);
  return { mailboxId: mailbox.id, sequenceId: sequence.id, stepIds: (sequence.steps as { id: string }[]).map((s) => s.id) };
}

/** Files in the sink: how many times each Message-ID arrived, and any `.dup-` files the sink made. */
export async function sinkContents(dir: string): Promise<{ byMessageId: Map<string, number>; dupFiles: string[]; files: string[] }> {
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.eml'));
  const byMessageId = new Map<string, number>();
  for (const name of names) {
    const id = readMessageId(await fs.readFile(path.join(dir, name))) ?? name;
    byMessageId.set(id, (byMessageId.get(id) ?? 0) + 1);
  }
  return { byMessageId, dupFiles: names.filter((n) => n.includes('.dup-')), files: names };
}

/**
 * A TCP proxy that delays everything the client sends: an SMTP conversation then takes seconds,
 * so a worker killed mid-send really has sends in flight.
 */
export async function startDelayProxy(targetPort: number, delayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => setTimeout(() => upstream.writable && upstream.write(chunk), delayMs));
    upstream.on('data', (chunk) => client.writable && client.write(chunk));
    // What the client sent before it went away (e.g. was killed) still arrives, like on a real network.
    client.on('close', () => setTimeout(() => upstream.end(), delayMs + 10));
    upstream.on('close', () => client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A workflow history as text: its structure as JSON, then every byte field (payloads, headers,
 * failures) decoded as UTF-8, raw, so a search finds values exactly as the workflow wrote them.
 * Walks the objects itself: protobuf toJSON would render bytes as base64 and hide them.
 */
export function historyText(history: unknown): string {
  const decoded: string[] = [];
  const plain = (value: unknown): unknown => {
    if (value instanceof Uint8Array) {
      decoded.push(Buffer.from(value).toString('utf8'));
      return `<bytes #${decoded.length - 1}>`;
    }
    if (Array.isArray(value)) return value.map(plain);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    return value;
  };
  const structure = JSON.stringify(plain(history));
  return `${structure}\n${decoded.join('\n')}`;
}
