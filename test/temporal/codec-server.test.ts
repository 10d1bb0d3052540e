/** Codec-server handlers: the Web UI's proto-JSON body in and out, over the real codec. */
import { defaultPayloadConverter } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { codecBodySchema, decodePayloadsBody, encodePayloadsBody, payloadToJson, type CodecBody } from '../../temporal/codec/codec-server';
import { AesGcmPayloadCodec, PayloadKeyUnknownError } from '../../temporal/codec/encryption-codec';

const codec = new AesGcmPayloadCodec({ encryptKeyId: 'k1', keys: new Map([['k1', randomBytes(32)]]) });
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('codec server handlers', () => {
  it('encode then decode returns the payloads the UI sent, in the UI format', async () => {
    const sent: CodecBody = {
      payloads: [
        { metadata: { encoding: b64('json/plain') }, data: b64('{"email":"ada@example.com"}') },
        { metadata: { encoding: b64('binary/null') }, data: '' },
      ],
    };
    const encoded = await encodePayloadsBody(codec, codecBodySchema.parse(sent));
    expect(encoded.payloads).toHaveLength(2);
    expect(encoded.payloads[0]?.metadata?.encoding).toBe(b64('binary/encrypted'));
    expect(encoded.payloads[0]?.metadata?.['encryption-key-id']).toBe(b64('k1'));
    expect(Buffer.from(encoded.payloads[0]?.data ?? '', 'base64').includes('ada@example.com')).toBe(false);

    // The answer is itself a valid body (the UI sends it back to /decode as is).
    const decoded = await decodePayloadsBody(codec, codecBodySchema.parse(encoded));
    expect(decoded).toEqual(sent);
  });

  it('decodes what a worker encoded (the UI shows history payloads)', async () => {
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload({ firstName: 'Ada' })]);
    const body = codecBodySchema.parse({ payloads: [payloadToJson(encoded as never)] });
    const decoded = await decodePayloadsBody(codec, body);
    expect(Buffer.from(decoded.payloads[0]?.data ?? '', 'base64').toString('utf8')).toBe('{"firstName":"Ada"}');
  });

  it('passes unencrypted payloads through /decode unchanged', async () => {
    const body = { payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('"hi"') }] };
    await expect(decodePayloadsBody(codec, codecBodySchema.parse(body))).resolves.toEqual(body);
  });

  it('lets the codec error through for an unknown key id (the route maps it)', async () => {
    const body = { payloads: [{ metadata: { encoding: b64('binary/encrypted'), 'encryption-key-id': b64('gone') }, data: b64('x'.repeat(40)) }] };
    await expect(decodePayloadsBody(codec, codecBodySchema.parse(body))).rejects.toThrow(PayloadKeyUnknownError);
  });

  it('the body schema refuses non-base64 values and a missing payloads array, naming the path', () => {
    const badData = codecBodySchema.safeParse({ payloads: [{ metadata: {}, data: 'not base64!' }] });
    expect(badData.success).toBe(false);
    expect(badData.error?.issues[0]?.path).toEqual(['payloads', 0, 'data']);
    const badMeta = codecBodySchema.safeParse({ payloads: [{ metadata: { encoding: 'json/plain' } }] });
    expect(badMeta.error?.issues[0]?.path).toEqual(['payloads', 0, 'metadata', 'encoding']);
    expect(codecBodySchema.safeParse({}).success).toBe(false);
    expect(codecBodySchema.safeParse({ payloads: [{}] }).success).toBe(true);
  });
});
