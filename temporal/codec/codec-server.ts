/**
 * Codec server logic for the Temporal Web UI ("Configure Codec Server", or `temporal server start-dev
 * --ui-codec-endpoint <url>`): the UI POSTs the payloads it shows to `/decode` (and payloads it sends,
 * e.g. a signal's input, to `/encode`) as proto JSON and renders what comes back.
 *
 * Body and answer: `{ "payloads": [{ "metadata": { "<key>": "<base64>" }, "data": "<base64>" }] }`.
 * Pure functions over a PayloadCodec; the HTTP routes (CORS for the UI's origin, auth) mount them.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';

export const codecPayloadSchema = z.object({
  metadata: z.record(z.string(), z.base64()).nullish(),
  data: z.base64().nullish(),
});
/** Unknown fields are stripped rather than refused: the UI's proto JSON may grow fields we do not use. */
export const codecBodySchema = z.object({ payloads: z.array(codecPayloadSchema) });

export type CodecPayload = z.infer<typeof codecPayloadSchema>;
export type CodecBody = z.infer<typeof codecBodySchema>;

export function payloadFromJson({ metadata, data }: CodecPayload): Payload {
  return {
    metadata: metadata ? Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])) : {},
    data: data ? Buffer.from(data, 'base64') : new Uint8Array(),
  };
}

export function payloadToJson({ metadata, data }: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
  };
}

/** POST /codec/decode. Throws the codec's errors (unknown key id, failed authentication) for the route to map. */
export async function decodePayloadsBody(codec: PayloadCodec, body: CodecBody): Promise<CodecBody> {
  const decoded = await codec.decode(body.payloads.map(payloadFromJson));
  return { payloads: decoded.map(payloadToJson) };
}

/** POST /codec/encode. */
export async function encodePayloadsBody(codec: PayloadCodec, body: CodecBody): Promise<CodecBody> {
  const encoded = await codec.encode(body.payloads.map(payloadFromJson));
  return { payloads: encoded.map(payloadToJson) };
}
