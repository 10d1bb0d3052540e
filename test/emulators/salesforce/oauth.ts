/**
 * OAuth 2.0 token endpoint (client_credentials, password, refresh_token) and the token table behind
 * `Authorization: Bearer`. Errors use the OAuth shape `{ error, error_description }` with HTTP 400.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { json, type Reply } from './wire';

export interface OAuthConfig {
  clientId: string;
  clientSecret: string;
  /** For the username-password grant. */
  username: string;
  password: string;
}

interface TokenInfo {
  expiresAt: number;
}

export class TokenStore {
  private readonly tokens = new Map<string, TokenInfo>();
  private readonly refreshTokens = new Set<string>();
  /** Every Bearer token is refused (tokens are still issued): the "session never works" failure. */
  rejectAll = false;
  ttlMs = 2 * 3600_000;
  issued = 0;

  constructor(
    private readonly orgId: string,
    private readonly now: () => number,
  ) {}

  issue(): string {
    this.issued++;
    const token = `${this.orgId.slice(0, 15)}!${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { expiresAt: this.now() + this.ttlMs });
    return token;
  }

  issueRefreshToken(): string {
    const token = `5Aep${randomBytes(30).toString('base64url')}`;
    this.refreshTokens.add(token);
    return token;
  }

  isRefreshToken(token: string): boolean {
    return this.refreshTokens.has(token);
  }

  valid(token: string | undefined): boolean {
    if (!token || this.rejectAll) return false;
    const info = this.tokens.get(token);
    return info !== undefined && info.expiresAt > this.now();
  }

  revoke(token: string): void {
    this.tokens.delete(token);
    this.refreshTokens.delete(token);
  }

  revokeAll(): number {
    const n = this.tokens.size;
    this.tokens.clear();
    return n;
  }

  reset(): void {
    this.tokens.clear();
    this.refreshTokens.clear();
    this.rejectAll = false;
    this.ttlMs = 2 * 3600_000;
    this.issued = 0;
  }
}

const oauthError = (error: string, description: string, status = 400): Reply => json(status, { error, error_description: description });

export function handleToken(
  form: URLSearchParams,
  ctx: { config: OAuthConfig; tokens: TokenStore; baseUrl: string; orgId: string; userId: string; now: number },
): Reply {
  const grant = form.get('grant_type');
  const { config, tokens } = ctx;
  const clientOk = form.get('client_id') === config.clientId && form.get('client_secret') === config.clientSecret;
  switch (grant) {
    case 'client_credentials':
      if (!clientOk) return oauthError('invalid_client', 'invalid client credentials');
      break;
    case 'password':
      if (form.get('client_id') !== config.clientId) return oauthError('invalid_client_id', 'client identifier invalid');
      if (!clientOk) return oauthError('invalid_client', 'invalid client credentials');
      if (form.get('username') !== config.username || form.get('password') !== config.password) return oauthError('invalid_grant', 'authentication failure');
      break;
    case 'refresh_token':
      if (form.get('client_id') !== config.clientId) return oauthError('invalid_client_id', 'client identifier invalid');
      if (!tokens.isRefreshToken(form.get('refresh_token') ?? '')) return oauthError('invalid_grant', 'expired access/refresh token');
      break;
    default:
      return oauthError('unsupported_grant_type', 'grant type not supported');
  }
  const accessToken = tokens.issue();
  const issuedAt = String(ctx.now);
  const id = `${ctx.baseUrl}/id/${ctx.orgId}/${ctx.userId}`;
  return json(200, {
    access_token: accessToken,
    signature: createHmac('sha256', config.clientSecret).update(id + issuedAt).digest('base64'),
    scope: 'api',
    instance_url: ctx.baseUrl,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  });
}
