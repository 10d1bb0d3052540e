import { createSecretBox, SecretBoxError } from '../../db/secret-box';
import { decodeSecretsKey } from '../../domain/secrets-key';

const key = Buffer.alloc(32, 3).toString('base64');

describe('secret box (mailbox credentials at rest)', () => {
  it('seals to an opaque, versioned value with a fresh IV each time, and opens it again', () => {
    const box = createSecretBox(key);
    const a = box.seal('hunter2');
    const b = box.seal('hunter2');
    expect(a).toMatch(/^enc:v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(a).not.toContain('hunter2');
    expect(a).not.toBe(b);
    expect(box.open(a)).toBe('hunter2');
    expect(box.open(box.seal(''))).toBe('');
    expect(box.open(box.seal('pässwörd ✓'))).toBe('pässwörd ✓');
  });

  it('refuses a tampered value or one sealed with another key', () => {
    const sealed = createSecretBox(key).seal('hunter2');
    const parts = sealed.split(':');
    const flipped = parts.slice(0, 4).concat(Buffer.from('xunter2').toString('base64url')).join(':');
    expect(() => createSecretBox(key).open(flipped)).toThrow(SecretBoxError);
    expect(() => createSecretBox(Buffer.alloc(32, 4).toString('base64')).open(sealed)).toThrow(/not the key it was sealed with/);
    expect(() => createSecretBox(key).open('enc:v1:only-one-part')).toThrow(/malformed/);
  });

  it('returns a value stored before encryption as it is', () => {
    expect(createSecretBox(key).open('legacy-plaintext')).toBe('legacy-plaintext');
  });

  it('accepts only the base64 of exactly 32 bytes as a key', () => {
    expect(decodeSecretsKey(key)).toHaveLength(32);
    expect(decodeSecretsKey(Buffer.alloc(16).toString('base64'))).toBeUndefined();
    expect(decodeSecretsKey('not base64 at all!')).toBeUndefined();
    expect(() => createSecretBox('short')).toThrow(/32 bytes/);
  });
});
