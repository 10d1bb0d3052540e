/**
 * A workflow history as searchable text, with the payload codec undone: every Payload (inputs,
 * results, signals, heartbeat details, failure attributes) is decoded through the service's codecs,
 * then every byte field is read as UTF-8. So a search finds what a reader of the decoded history
 * (the Web UI with the codec server) would see, not just ciphertext.
 */
import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';

const isPayload = (v: unknown): v is Payload => typeof v === 'object' && v !== null && 'metadata' in v && 'data' in v && (v as Payload).data instanceof Uint8Array;

async function decodePayload(codecs: readonly PayloadCodec[], p: Payload): Promise<Payload> {
  let decoded = p;
  for (const codec of [...codecs].reverse()) [decoded] = (await codec.decode([decoded])) as [Payload];
  return decoded;
}

export async function historyText(history: unknown, codecs: readonly PayloadCodec[]): Promise<string> {
  const texts: string[] = [];
  const walk = async (value: unknown): Promise<void> => {
    if (value instanceof Uint8Array) {
      texts.push(Buffer.from(value).toString('utf8'));
      return;
    }
    if (isPayload(value)) {
      const p = await decodePayload(codecs, value);
      texts.push(Buffer.from(p.data ?? new Uint8Array()).toString('utf8'));
      for (const v of Object.values(p.metadata ?? {})) texts.push(Buffer.from(v).toString('utf8'));
      return;
    }
    if (Array.isArray(value)) {
      for (const v of value) await walk(v);
      return;
    }
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        texts.push(k);
        if (typeof v === 'string') texts.push(v);
        else await walk(v);
      }
    }
  };
  await walk(history);
  return texts.join('\n');
}

/** Every execution a visibility query finds, with its history as text. */
export async function* historiesOf(client: Client, query: string, codecs: readonly PayloadCodec[]): AsyncGenerator<{ workflowId: string; runId: string; text: string }> {
  for await (const wf of client.workflow.list({ query })) {
    const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    yield { workflowId: wf.workflowId, runId: wf.runId, text: await historyText(history, codecs) };
  }
}
