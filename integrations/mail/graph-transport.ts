/**
 * Microsoft 365 mailbox transport: Graph `sendMail` with a MIME body. MIME (not JSON) is used
 * because JSON internetMessageHeaders only accepts X- headers and would drop List-Unsubscribe.
 * Auth is OAuth2 client credentials (application permission Mail.Send).
 */
import { MailTransportError, type MailTransport, type OutgoingMail, type SendResult } from './transport';

export { MailTransportError } from './transport';

export interface GraphTransportConfig {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The mailbox that sends (UPN or SMTP address). */
  mailboxAddress: string;
  authorityUrl?: string;
  graphUrl?: string;
  /** Injected for tests/emulators; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Per-request timeout; defaults to 30 s. */
  timeoutMs?: number;
}

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

// Refresh this long before expiry so a token never dies between fetch and Graph receiving it.
const EXPIRY_MARGIN_MS = 60_000;
const SCOPE = 'https://graph.microsoft.com/.default';

export function createGraphTransport(config: GraphTransportConfig): MailTransport {
  const doFetch = config.fetch ?? fetch;
  const timeoutMs = config.timeoutMs ?? 30_000;
  const authorityUrl = trimSlash(config.authorityUrl ?? 'https://login.microsoftonline.com');
  const graphUrl = trimSlash(config.graphUrl ?? 'https://graph.microsoft.com');
  const tokenUrl = `${authorityUrl}/${encodeURIComponent(config.tenantId)}/oauth2/v2.0/token`;
  const sendUrl = `${graphUrl}/v1.0/users/${encodeURIComponent(config.mailboxAddress)}/sendMail`;

  let cached: CachedToken | undefined;
  // Concurrent sends share one token request instead of stampeding the authority.
  let inflight: Promise<string> | undefined;

  async function request(url: string, init: RequestInit, stage: GraphStage): Promise<Response> {
    try {
      return await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      // DNS, reset, timeout: nothing was answered, a later attempt may succeed.
      throw new MailTransportError(`${STAGE_NAMES[stage]}: network error: ${errorMessage(err)}`, { provider: 'graph', stage, retryable: true, code: 'NETWORK', cause: err });
    }
  }

  async function fetchToken(): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: config.clientId,
      client_secret: config.clientSecret,
      scope: SCOPE,
    });
    const res = await request(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    }, 'token');
    if (!res.ok) throw await httpError(res, 'token');
    const json = (await res.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof json.access_token !== 'string' || json.access_token === '') {
      throw new MailTransportError('Graph token: response has no access_token', { provider: 'graph', stage: 'token', retryable: true, status: res.status });
    }
    const expiresIn = Number(json.expires_in);
    const lifetimeMs = Number.isFinite(expiresIn) ? expiresIn * 1000 : 0;
    cached = { accessToken: json.access_token, expiresAt: Date.now() + lifetimeMs - EXPIRY_MARGIN_MS };
    return json.access_token;
  }

  function getToken(): Promise<string> {
    if (cached && Date.now() < cached.expiresAt) return Promise.resolve(cached.accessToken);
    inflight ??= fetchToken().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  function postMime(token: string, base64Mime: string): Promise<Response> {
    return request(sendUrl, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' },
      body: base64Mime,
    }, 'submit');
  }

  return {
    async send(msg: OutgoingMail): Promise<SendResult> {
      const base64Mime = msg.raw.toString('base64');
      const token = await getToken();
      let res = await postMime(token, base64Mime);
      if (res.status === 401) {
        // Revoked or expired early: refresh once. Only drop the cache if nobody refreshed it yet.
        await res.body?.cancel();
        if (cached?.accessToken === token) cached = undefined;
        res = await postMime(await getToken(), base64Mime);
      }
      if (!res.ok) throw await httpError(res, 'submit');
      await res.body?.cancel(); // 202 has no body; release the connection.
      // Graph returns no id for sendMail; our Message-ID is what the sent item carries.
      return { providerMessageId: msg.messageId };
    },
    close(): void {
      cached = undefined;
    },
  };
}

type GraphStage = 'token' | 'submit';
const STAGE_NAMES: Record<GraphStage, string> = { token: 'Graph token', submit: 'Graph sendMail' };

async function httpError(res: Response, stage: GraphStage): Promise<MailTransportError> {
  const what = STAGE_NAMES[stage];
  const text = await res.text().catch(() => '');
  const { code, message } = parseErrorBody(text);
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  return new MailTransportError(`${what}: HTTP ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`, {
    // Throttling, timeouts and outages pass; 400/401/403/404 need a config or content fix.
    provider: 'graph',
    stage,
    retryable: res.status === 408 || res.status === 429 || res.status >= 500,
    status: res.status,
    code,
    retryAfterMs,
  });
}

/** Graph errors are `{error:{code,message}}`; Entra ID token errors are `{error, error_description}`. */
function parseErrorBody(text: string): { code?: string; message?: string } {
  try {
    const json = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (typeof json.error === 'string') {
      return { code: json.error, message: typeof json.error_description === 'string' ? firstLine(json.error_description) : undefined };
    }
    if (json.error && typeof json.error === 'object') {
      const e = json.error as { code?: unknown; message?: unknown };
      return { code: typeof e.code === 'string' ? e.code : undefined, message: typeof e.message === 'string' ? e.message : undefined };
    }
  } catch {
    // Not JSON (proxy page, empty body): fall through to the raw text.
  }
  return { message: text ? firstLine(text).slice(0, 200) : undefined };
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function firstLine(s: string): string {
  return s.split(/\r?\n/, 1)[0] ?? '';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
