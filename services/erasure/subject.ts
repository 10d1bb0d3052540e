/**
 * The subject's addresses and names while its erasure runs. The verify step must search for them
 * after erase_crm removed them everywhere, and workflows carry no personal data, so they are kept on
 * the request row sealed with SECRETS_KEY (AES-256-GCM) and cleared by the receipt step.
 */
import { createSecretBox } from '../../db/secret-box';
import { normalizeEmail } from '../../domain/email-address';

export interface ErasureSubject {
  /** Normalised addresses. */
  addresses: string[];
  /** First and last names, each on its own (verify searches each). */
  names: string[];
}

export function sealSubject(secretsKey: string, subject: ErasureSubject): string {
  return createSecretBox(secretsKey).seal(JSON.stringify(subject));
}

export function openSubject(secretsKey: string, sealed: string | null): ErasureSubject {
  if (sealed === null) return { addresses: [], names: [] };
  const value = JSON.parse(createSecretBox(secretsKey).open(sealed)) as Partial<ErasureSubject>;
  return { addresses: value.addresses ?? [], names: value.names ?? [] };
}

/** Adds addresses and names (deduplicated; blanks dropped). */
export function mergeSubject(a: ErasureSubject, more: { addresses?: Array<string | null>; names?: Array<string | null> }): ErasureSubject {
  const addresses = new Set(a.addresses);
  for (const x of more.addresses ?? []) if (x && x.trim()) addresses.add(normalizeEmail(x));
  const names = new Set(a.names);
  for (const x of more.names ?? []) if (x && x.trim()) names.add(x.trim());
  return { addresses: [...addresses], names: [...names] };
}
