import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { decodeSecretsKey } from '../domain/secrets-key';

/**
 * Encryption at rest for credentials the service must be able to use again (mailbox SMTP passwords,
 * M365 client secrets): AES-256-GCM under SECRETS_KEY. A stolen database dump or backup then holds no
 * usable credential. Stored form: `enc:v1:<iv>:<tag>:<ciphertext>` (base64url).
 */
export interface SecretBox {
  seal(plaintext: string): string;
  /** Decrypts a sealed value; a value without the `enc:v1:` prefix predates encryption and is returned as is. */
  open(stored: string): string;
}

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

const PREFIX = 'enc:v1:';

export function createSecretBox(keyBase64: string): SecretBox {
  const key = decodeSecretsKey(keyBase64);
  if (!key) throw new SecretBoxError('SECRETS_KEY must be the base64 encoding of 32 bytes');
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${PREFIX}${[iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url')).join(':')}`;
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      const [iv, tag, ciphertext] = stored.slice(PREFIX.length).split(':').map((part) => Buffer.from(part, 'base64url'));
      if (!iv || !tag || !ciphertext) throw new SecretBoxError('stored secret is malformed');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('stored secret cannot be decrypted: SECRETS_KEY is not the key it was sealed with');
      }
    },
  };
}
