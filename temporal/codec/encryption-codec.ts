/**
 * AES-256-GCM payload codec: every payload leaves the client or worker as an opaque
 * `binary/encrypted` payload, so Temporal's database and its history exports hold no readable
 * inputs, results, heartbeat details or (with the failure converter) failure messages.
 *
 * Wire format of an encrypted payload:
 *   metadata.encoding          = "binary/encrypted"
 *   metadata.encryption-key-id = id of the key (see payload-keys.ts)
 *   data                       = 12-byte IV | ciphertext | 16-byte GCM tag
 * The plaintext is the whole original Payload protobuf (its metadata, e.g. `json/plain`, included).
 * The key id is authenticated as additional data, so relabelling a payload with another key id fails.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { PAYLOAD_KEY_VARIABLE, type PayloadKeyRing } from '../../domain/payload-keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

/** The payload names a key id this process does not have (rotated out too early, or another deployment's key). */
export class PayloadKeyUnknownError extends Error {
  override readonly name = 'PayloadKeyUnknownError';
  readonly code = 'PAYLOAD_KEY_UNKNOWN';
  constructor(
    readonly keyId: string,
    knownKeyIds: readonly string[],
  ) {
    super(`Payload was encrypted with key id "${keyId}", which is not in ${PAYLOAD_KEY_VARIABLE} (known ids: ${knownKeyIds.join(', ')}); add that key back to decrypt it.`);
  }
}

/** Authentication failed: the payload was altered, truncated, or the key under that id is not the one it was encrypted with. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
  readonly code = 'PAYLOAD_DECRYPTION_FAILED';
  constructor(
    readonly keyId: string,
    detail: string,
  ) {
    super(`Encrypted payload (key id "${keyId}") could not be decrypted: ${detail}.`);
  }
}

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const text = (bytes: Uint8Array | null | undefined): string | undefined => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);
const additionalData = (keyId: string): Buffer => Buffer.from(`${ENCRYPTED_ENCODING};${KEY_ID_METADATA}=${keyId}`, 'utf8');

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly ring: PayloadKeyRing) {
    if (!ring.keys.has(ring.encryptKeyId)) throw new Error(`${PAYLOAD_KEY_VARIABLE}: the encrypting key id "${ring.encryptKeyId}" has no key`);
    for (const [id, key] of ring.keys) if (key.length !== 32) throw new Error(`${PAYLOAD_KEY_VARIABLE}: key "${id}" is not 32 bytes`);
  }

  get encryptKeyId(): string {
    return this.ring.encryptKeyId;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.ring.encryptKeyId;
    const key = this.ring.keys.get(keyId) as Buffer;
    return payloads.map((payload) => {
      const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
      // A fresh random IV per payload: GCM must never reuse an IV under one key.
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(keyId));
      const data = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(keyId) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Not ours (e.g. history written before the codec was switched on): leave it to the payload converter.
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
      if (keyId === undefined) throw new PayloadDecryptionError('(none)', `the payload has no ${KEY_ID_METADATA} metadata`);
      const key = this.ring.keys.get(keyId);
      if (!key) throw new PayloadKeyUnknownError(keyId, [...this.ring.keys.keys()]);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(keyId, 'the data is too short to be an encrypted payload');
      const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plaintext: Buffer;
      try {
        plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadDecryptionError(keyId, 'authentication failed (the payload was altered, or the key configured under this id is not the one it was encrypted with)');
      }
      return temporal.api.common.v1.Payload.decode(plaintext);
    });
  }
}
