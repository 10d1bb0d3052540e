/**
 * Typed HTTP client of the PSA API (routes and schemas in ./api, errors in ./errors).
 * Transport policy (../shared/retrying-http.ts): per-attempt timeout, small exponential backoff on network errors and 5xx only,
 * a deterministic Idempotency-Key on every write. Temporal retries on top of this belong to the caller.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { PsaAuthError, PsaRequestError, PsaUnreachableError, WRONG_KEY_MESSAGES, type WrongKey } from './errors';
import { IDEMPOTENCY_KEY_HEADER, fillPath, secretsEqual } from '../shared/http-wire';
import { createRetryingHttp } from '../shared/retrying-http';
import { PsaClientList, PsaClientRecord, PsaContactRecord, PsaRoutes, VerifyResponse, crmKeyProof } from './api';

export interface PsaClientConfig {
  baseUrl: string;
  /** The key the CRM presents to the PSA. */
  psaIntegrationKey: string;
  /** The key the PSA must present to the CRM; only used here to check the PSA's proof. */
  crmIntegrationKey: string;
  /** Per attempt. Default 10 000 ms. */
  timeoutMs?: number;
  /** Extra attempts after the first, on network errors / timeouts / 5xx. Default 2. */
  retries?: number;
  /** Backoff before retry n (1-based) is retryBaseMs * 2^(n-1). Default 200 ms. */
  retryBaseMs?: number;
  fetch?: typeof fetch;
}

export type VerifyKeysResult = { ok: true } | { ok: false; wrongKey: WrongKey; message: string };

export interface CreateClientInput {
  crmCompanyId: string;
  name: string;
  domains: string[];
}
export interface UpsertContactInput {
  clientId: string;
  crmContactId: string;
  email: string;
  firstName?: string;
  lastName?: string;
}

export interface PsaClient {
  /** Throws PsaUnreachableError if the PSA cannot be reached; a key mismatch is a result, not an error. */
  verifyIntegrationKeys(): Promise<VerifyKeysResult>;
  /** `created` is false when the PSA already had a client for this CRM company (idempotent replay). */
  createClient(input: CreateClientInput): Promise<{ client: PsaClientRecord; created: boolean }>;
  /** null if the PSA does not know the id. */
  getClient(id: string): Promise<PsaClientRecord | null>;
  findClientByCrmCompanyId(crmCompanyId: string): Promise<PsaClientRecord | null>;
  upsertContact(input: UpsertContactInput): Promise<{ contact: PsaContactRecord; created: boolean }>;
  /** Deletes the client's contact (GDPR erasure); `deleted` is false when the PSA did not have it (already gone). */
  deleteContact(input: { clientId: string; crmContactId: string; idempotencyKey?: string }): Promise<{ deleted: boolean }>;
}

interface RawResponse {
  status: number;
  body: unknown;
}

export function createPsaClient(config: PsaClientConfig): PsaClient {
  const http = createRetryingHttp({ ...config, bearerKey: config.psaIntegrationKey });

  /** One logical request: retries network errors and 5xx, returns any other response as is. */
  async function send(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<RawResponse> {
    const outcome = await http({ method, path, body, ...(idempotencyKey !== undefined && { headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey } }) });
    if (outcome.kind === 'answered') return outcome;
    throw new PsaUnreachableError(`PSA ${method} ${path} failed after ${outcome.attempts} attempts: ${outcome.detail}`, outcome.attempts, outcome.status, { cause: outcome.cause });
  }

  /** Maps a non-5xx response to the typed result or error. */
  function decode<S extends z.ZodType>(res: RawResponse, ok: readonly number[], schema: S, what: string): z.infer<S> {
    if (res.status === 401 || res.status === 403) throw new PsaAuthError(res.status);
    if (!ok.includes(res.status)) throw new PsaRequestError(`PSA rejected ${what} with HTTP ${res.status}`, res.status, res.body);
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) throw new PsaRequestError(`PSA answered ${what} with an unexpected body`, res.status, res.body);
    return parsed.data;
  }

  return {
    async verifyIntegrationKeys() {
      const nonce = randomBytes(32).toString('hex');
      const { method, path } = PsaRoutes.verifyIntegration;
      const res = await send(method, path, { nonce });
      if (res.status === 401 || res.status === 403) {
        return { ok: false, wrongKey: 'PSA_INTEGRATION_KEY', message: WRONG_KEY_MESSAGES.PSA_INTEGRATION_KEY };
      }
      const { crmKeyProof: proof } = decode(res, [200], VerifyResponse, 'key verification');
      if (!secretsEqual(proof, crmKeyProof(config.crmIntegrationKey, nonce))) {
        return { ok: false, wrongKey: 'CRM_INTEGRATION_KEY', message: WRONG_KEY_MESSAGES.CRM_INTEGRATION_KEY };
      }
      return { ok: true };
    },

    async createClient(input) {
      const { method, path } = PsaRoutes.createClient;
      const res = await send(method, path, input, `client:${input.crmCompanyId}`);
      return { client: decode(res, [200, 201], PsaClientRecord, 'createClient'), created: res.status === 201 };
    },

    async getClient(id) {
      const { method, path } = PsaRoutes.getClient;
      const res = await send(method, fillPath(path, { id }));
      if (res.status === 404) return null;
      return decode(res, [200], PsaClientRecord, 'getClient');
    },

    async findClientByCrmCompanyId(crmCompanyId) {
      const { method, path } = PsaRoutes.listClients;
      const res = await send(method, `${path}?${new URLSearchParams({ crmCompanyId }).toString()}`);
      return decode(res, [200], PsaClientList, 'listClients').clients[0] ?? null;
    },

    async upsertContact({ clientId, crmContactId, ...body }) {
      const { method, path } = PsaRoutes.upsertContact;
      const res = await send(method, fillPath(path, { clientId, crmContactId }), body, `contact:${clientId}:${crmContactId}`);
      return { contact: decode(res, [200, 201], PsaContactRecord, 'upsertContact'), created: res.status === 201 };
    },

    async deleteContact({ clientId, crmContactId, idempotencyKey }) {
      const { method, path } = PsaRoutes.deleteContact;
      const res = await send(method, fillPath(path, { clientId, crmContactId }), undefined, idempotencyKey ?? `delete-contact:${clientId}:${crmContactId}`);
      if (res.status === 404) return { deleted: false };
      if (res.status === 401 || res.status === 403) throw new PsaAuthError(res.status);
      if (res.status !== 204 && res.status !== 200) throw new PsaRequestError(`PSA rejected deleteContact with HTTP ${res.status}`, res.status, res.body);
      return { deleted: true };
    },
  };
}
