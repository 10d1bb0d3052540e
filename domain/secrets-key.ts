/**
 * SECRETS_KEY's one format, checked by the config schema and used by the secret box: the base64
 * encoding of exactly 32 bytes (`openssl rand -base64 32`). Anything else is refused, not padded.
 */
export function decodeSecretsKey(base64: string): Buffer | undefined {
  const key = Buffer.from(base64, 'base64');
  return key.length === 32 && key.toString('base64') === base64.replace(/\s/g, '') ? key : undefined;
}
