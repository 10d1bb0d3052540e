/**
 * The PSA HTTP API, defined once: routes, body schemas and the key-proof algorithm.
 * Both the typed client (psa-client.ts) and the emulator (test/emulators/psa-emulator.ts) use this file,
 * so they cannot drift apart.
 *
 * Auth: every PSA endpoint requires `Authorization: Bearer <PSA_INTEGRATION_KEY>`; a wrong key gets
 * 401 `{ error: { code: 'INVALID_PSA_KEY' } }`. Writes carry an `Idempotency-Key` header.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Error body of every non-2xx PSA response. */
export const PsaErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string().optional() }),
});
export type PsaErrorBody = z.infer<typeof PsaErrorBody>;

export const PsaErrorCodes = {
  INVALID_PSA_KEY: 'INVALID_PSA_KEY',
  INVALID_REQUEST: 'INVALID_REQUEST',
  IDEMPOTENCY_KEY_REQUIRED: 'IDEMPOTENCY_KEY_REQUIRED',
  NOT_FOUND: 'NOT_FOUND',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;

export const VerifyRequest = z.object({ nonce: z.string().min(16).max(256) });
export const VerifyResponse = z.object({ crmKeyProof: z.string().regex(/^[0-9a-f]{64}$/) });

export const PsaClientStatus = z.enum(['pending', 'active']);
export const CreateClientRequest = z.object({
  crmCompanyId: z.string().min(1),
  name: z.string().min(1),
  domains: z.array(z.string()),
});
export const PsaClientRecord = z.object({
  id: z.string(),
  crmCompanyId: z.string(),
  name: z.string(),
  status: PsaClientStatus,
});
export const PsaClientList = z.object({ clients: z.array(PsaClientRecord) });

export const UpsertContactRequest = z.object({
  email: z.email(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
});
export const PsaContactRecord = z.object({
  id: z.string(),
  clientId: z.string(),
  crmContactId: z.string(),
  email: z.string(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
});

/** PSA -> CRM webhook, sent with `Authorization: Bearer <CRM_INTEGRATION_KEY as held by the PSA>`. */
export const ClientCreatedWebhook = z.object({
  type: z.literal('client.created'),
  clientId: z.string(),
  crmCompanyId: z.string(),
});

export type VerifyRequest = z.infer<typeof VerifyRequest>;
export type VerifyResponse = z.infer<typeof VerifyResponse>;
export type PsaClientStatus = z.infer<typeof PsaClientStatus>;
export type CreateClientRequest = z.infer<typeof CreateClientRequest>;
export type PsaClientRecord = z.infer<typeof PsaClientRecord>;
export type PsaClientList = z.infer<typeof PsaClientList>;
export type UpsertContactRequest = z.infer<typeof UpsertContactRequest>;
export type PsaContactRecord = z.infer<typeof PsaContactRecord>;
export type ClientCreatedWebhook = z.infer<typeof ClientCreatedWebhook>;

export const PsaRoutes = {
  /**
   * Checks both integration keys without sending either. 401 if the bearer (the CRM's PSA key) is wrong;
   * otherwise 200 `{ crmKeyProof }` = crmKeyProof(<CRM key held by the PSA>, nonce).
   */
  verifyIntegration: { method: 'POST', path: '/v1/integration/verify' },
  /**
   * Creates the client for a CRM company; idempotent by crmCompanyId (201 first, 200 with the same client after).
   * Schedules the `client.created` webhook to the CRM after the event-mesh delay (up to ~30 s).
   */
  createClient: { method: 'POST', path: '/v1/clients' },
  /** One client by PSA id; 404 if unknown. Used by the polling fallback. */
  getClient: { method: 'GET', path: '/v1/clients/:id' },
  /** `?crmCompanyId=...` -> `{ clients }` (zero or one). Used by the polling fallback. */
  listClients: { method: 'GET', path: '/v1/clients' },
  /** Upserts a contact of a client, keyed by the CRM contact id; 201 created, 200 updated. */
  upsertContact: { method: 'PUT', path: '/v1/clients/:clientId/contacts/:crmContactId' },
} as const;

/** CRM endpoint the PSA calls back (relative to the CRM base URL). */
export const CRM_PSA_WEBHOOK_PATH = '/v1/webhooks/psa';

/** Fills `:name` segments of a route path, URL-encoding each value. */
export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}

/** Matches a pathname against a route template; returns the decoded params or null. */
export function matchPath(template: string, pathname: string): Record<string, string> | null {
  const want = template.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith(':')) {
      if (g === '') return null;
      params[w.slice(1)] = decodeURIComponent(g);
    } else if (w !== g) return null;
  }
  return params;
}

/** hex HMAC-SHA256(key = CRM_INTEGRATION_KEY, message = nonce): proves key equality without revealing the key. */
export function crmKeyProof(crmIntegrationKey: string, nonce: string): string {
  return createHmac('sha256', crmIntegrationKey).update(nonce).digest('hex');
}

/** Constant-time string equality; compares SHA-256 digests so neither content nor length leaks through timing. */
export function secretsEqual(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  return match?.[1];
}
