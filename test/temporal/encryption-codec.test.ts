/** The AES-256-GCM payload codec on its own: round trip, tampering, unknown keys, rotation. */
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, PayloadDecryptionError, PayloadKeyUnknownError } from '../../temporal/codec/encryption-codec';
import type { PayloadKeyRing } from '../../domain/payload-keys';

const K1 = randomBytes(32);
const K2 = randomBytes(32);
const ring = (...entries: Array<[string, Buffer]>): PayloadKeyRing => ({ encryptKeyId: entries[0]?.[0] ?? '', keys: new Map(entries) });

const SECRET = { email: 'ada.lovelace@example.com', note: 'Analytical Engine' };
const toPayload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const fromPayload = (payload: Payload): unknown => defaultPayloadConverter.fromPayload(payload);
const str = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const contains = (payload: Payload, needle: string): boolean =>
  Buffer.from(payload.data ?? new Uint8Array()).includes(needle) || Object.values(payload.metadata ?? {}).some((v) => Buffer.from(v).includes(needle));

describe('AesGcmPayloadCodec', () => {
  const codec = new AesGcmPayloadCodec(ring(['k1', K1]));

  it('round-trips payloads, original metadata included, and leaves no plaintext in the encoded form', async () => {
    const originals = [toPayload(SECRET), toPayload('plain string'), toPayload(undefined), toPayload(new Uint8Array([1, 2, 3]))];
    const encoded = await codec.encode(originals);
    expect(encoded).toHaveLength(originals.length);
    for (const p of encoded) {
      expect(str(p.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
      expect(str(p.metadata?.[KEY_ID_METADATA])).toBe('k1');
      expect(Object.keys(p.metadata ?? {}).sort()).toEqual([METADATA_ENCODING_KEY, KEY_ID_METADATA].sort());
      for (const needle of ['ada.lovelace', 'Analytical', 'plain string', 'json/plain', 'binary/null']) expect(contains(p, needle)).toBe(false);
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map(fromPayload)).toEqual([SECRET, 'plain string', undefined, new Uint8Array([1, 2, 3])]);
    expect(str(decoded[0]?.metadata?.[METADATA_ENCODING_KEY])).toBe('json/plain');
  });

  it('uses a fresh IV for every payload: the same value never encrypts to the same bytes', async () => {
    const [a, b] = await codec.encode([toPayload(SECRET), toPayload(SECRET)]);
    expect(Buffer.from(a?.data ?? []).equals(Buffer.from(b?.data ?? []))).toBe(false);
  });

  it('leaves payloads it did not encrypt alone (histories written before the codec was switched on)', async () => {
    const plain = toPayload(SECRET);
    const [decoded] = await codec.decode([plain]);
    expect(fromPayload(decoded as Payload)).toEqual(SECRET);
  });

  it('refuses a payload whose ciphertext was altered', async () => {
    const [encoded] = await codec.encode([toPayload(SECRET)]);
    const data = Buffer.from(encoded?.data ?? []);
    data[20] = (data[20] ?? 0) ^ 0x01; // one bit inside the ciphertext
    await expect(codec.decode([{ ...encoded, data }])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([{ ...encoded, data }])).rejects.toThrow(/key id "k1".*authentication failed/);
  });

  it('refuses a payload whose tag or length was altered', async () => {
    const [encoded] = await codec.encode([toPayload(SECRET)]);
    const data = Buffer.from(encoded?.data ?? []);
    await expect(codec.decode([{ ...encoded, data: data.subarray(0, data.length - 1) }])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([{ ...encoded, data: data.subarray(0, 10) }])).rejects.toThrow(/too short/);
  });

  it('refuses a payload relabelled with another known key id (the key id is authenticated)', async () => {
    const both = new AesGcmPayloadCodec(ring(['k2', K2], ['k1', K1]));
    const [encoded] = await both.encode([toPayload(SECRET)]);
    const relabelled = { ...encoded, metadata: { ...encoded?.metadata, [KEY_ID_METADATA]: Buffer.from('k1') } };
    await expect(both.decode([relabelled])).rejects.toThrow(PayloadDecryptionError);
  });

  it('refuses a payload encrypted under a different key with the same id', async () => {
    const other = new AesGcmPayloadCodec(ring(['k1', randomBytes(32)]));
    const [encoded] = await other.encode([toPayload(SECRET)]);
    await expect(codec.decode([encoded as Payload])).rejects.toThrow(PayloadDecryptionError);
  });

  it('names an unknown key id, the variable and the known ids, and never the key material', async () => {
    const retired = new AesGcmPayloadCodec(ring(['k0', randomBytes(32)]));
    const [encoded] = await retired.encode([toPayload(SECRET)]);
    const error = await codec.decode([encoded as Payload]).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(PayloadKeyUnknownError);
    expect((error as PayloadKeyUnknownError).keyId).toBe('k0');
    expect((error as Error).message).toMatch(/key id "k0".*TEMPORAL_PAYLOAD_KEY.*known ids: k1/);
    expect((error as Error).message).not.toContain(K1.toString('base64'));
  });

  it('refuses an encrypted payload without a key id', async () => {
    const [encoded] = await codec.encode([toPayload(SECRET)]);
    const metadata = { [METADATA_ENCODING_KEY]: encoded?.metadata?.[METADATA_ENCODING_KEY] as Uint8Array };
    await expect(codec.decode([{ ...encoded, metadata }])).rejects.toThrow(/no encryption-key-id/);
  });

  it('rotation: after a new key is put first, it encrypts, and payloads under the old key still decrypt', async () => {
    const before = new AesGcmPayloadCodec(ring(['k1', K1]));
    const [old] = await before.encode([toPayload(SECRET)]);

    const after = new AesGcmPayloadCodec(ring(['k2', K2], ['k1', K1]));
    const [fresh] = await after.encode([toPayload('new')]);
    expect(str(fresh?.metadata?.[KEY_ID_METADATA])).toBe('k2');

    const decoded = await after.decode([old as Payload, fresh as Payload]);
    expect(decoded.map(fromPayload)).toEqual([SECRET, 'new']);
    // The old-only codec cannot read what the new key wrote: the rotation really changed keys.
    await expect(before.decode([fresh as Payload])).rejects.toThrow(PayloadKeyUnknownError);
  });
});
