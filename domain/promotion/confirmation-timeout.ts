import { parseIsoDuration } from '../duration';

/** PSA_CONFIRMATION_TIMEOUT (ISO-8601, e.g. PT5M) in ms; a bad value names the variable. */
export function parseConfirmationTimeout(value: string): { ok: true; ms: number } | { ok: false; error: string } {
  const parsed = parseIsoDuration(value);
  if (!parsed.ok) return { ok: false, error: `PSA_CONFIRMATION_TIMEOUT: ${parsed.error}` };
  if (parsed.ms < 1000) return { ok: false, error: `PSA_CONFIRMATION_TIMEOUT: "${value}" is shorter than one second` };
  return parsed;
}
