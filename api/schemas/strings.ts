import { z } from 'zod';

/**
 * Shared string schemas, so every route states (and documents) the same constraints. NUL characters
 * are refused for every string by the validator itself (api/validation.ts), whatever schema a route uses.
 */
export const emailAddress = (example = 'ada@example.com') =>
  z
    .string()
    .trim()
    .max(254)
    .pipe(z.email({ message: `must be an email address such as ${example}` }))
    // A pipe documents its input side (a plain string): state the format for the OpenAPI document.
    .meta({ format: 'email', examples: [example] });

/** IANA zone names only (what send windows are evaluated in): `Europe/Berlin`, `America/New_York`, `UTC`. */
export const ianaTimeZone = z
  .string()
  .regex(/^(UTC|[A-Za-z]+(?:\/[A-Za-z0-9_+-]+)+)$/, { message: 'must be an IANA time zone such as Europe/Berlin' })
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone such as Europe/Berlin' },
  )
  .meta({ examples: ['Europe/Berlin'] });
