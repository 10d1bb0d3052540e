/**
 * The PSA HTTP API, defined once: routes, body schemas and the key-proof algorithm.
 * Both the typed client (psa-client.ts) and the emulator (test/emulators/psa-emulator.ts) use this file,
 * so they cannot drift apart.
 *
 * Auth: every PSA endpoint requires `Authorization: Bearer <PSA_INTEGRATION_KEY>`; a wrong key gets
 * 401 `{ error: { code: 'INVALID_PSA_KEY' } }`. Writes carry an `Idempotency-Key` header.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';


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
  /**
   * Deletes a contact of a client (GDPR erasure), keyed by the CRM contact id: 204 deleted; 404
   * `NOT_FOUND` when the client or the contact is unknown (already gone: the caller treats it as done).
   */
  deleteContact: { method: 'DELETE', path: '/v1/clients/:clientId/contacts/:crmContactId' },
} as const;

/** CRM endpoint the PSA calls back (relative to the CRM base URL). */
export const CRM_PSA_WEBHOOK_PATH = '/v1/webhooks/psa';

/** hex HMAC-SHA256(key = CRM_INTEGRATION_KEY, message = nonce): proves key equality without revealing the key. */
export function crmKeyProof(crmIntegrationKey: string, nonce: string): string {
  return createHmac('sha256', crmIntegrationKey).update(nonce).digest('hex');
}
