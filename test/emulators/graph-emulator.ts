/**
 * Minimal Microsoft identity platform + Graph emulator for transport tests: the client-credentials
 * token endpoint and MIME `sendMail`, on one local HTTP server (use its url as both authorityUrl
 * and graphUrl).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphEmulatorOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Lifetime reported as expires_in and enforced on sendMail; default 3599 like Entra ID. */
  tokenTtlSeconds?: number;
}

export interface GraphEmulatorMessage {
  mailbox: string;
  /** Decoded MIME. */
  raw: string;
}

export interface GraphEmulator {
  url: string;
  close(): Promise<void>;
  messages: GraphEmulatorMessage[];
  readonly tokenRequests: number;
  /** Makes every issued token invalid, as if its lifetime had passed. */
  expireTokens(): void;
  /** The next `count` sendMail calls (after auth) answer `status` with a Graph error body. */
  failNext(status: number, count?: number): void;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export async function startGraphEmulator(opts: GraphEmulatorOptions): Promise<GraphEmulator> {
  const ttl = opts.tokenTtlSeconds ?? 3599;
  const tokens = new Map<string, number>(); // token -> expiresAt (ms)
  const messages: GraphEmulatorMessage[] = [];
  let tokenRequests = 0;
  let failure: { status: number; remaining: number } | undefined;

  const tokenPath = `/${opts.tenantId}/oauth2/v2.0/token`;
  const sendPath = /^\/v1\.0\/users\/([^/]+)\/sendMail$/;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);

    if (req.method === 'POST' && url.pathname === tokenPath) {
      tokenRequests++;
      const form = new URLSearchParams(body.toString('utf8'));
      if (form.get('grant_type') !== 'client_credentials' || form.get('scope') !== 'https://graph.microsoft.com/.default') {
        return aadError(res, 400, 'invalid_request', 'AADSTS900144: The request body must contain grant_type=client_credentials and a .default scope.');
      }
      if (form.get('client_id') !== opts.clientId) {
        return aadError(res, 400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`);
      }
      if (form.get('client_secret') !== opts.clientSecret) {
        return aadError(res, 401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
      }
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, Date.now() + ttl * 1000);
      return json(res, 200, { token_type: 'Bearer', expires_in: ttl, ext_expires_in: ttl, access_token: token });
    }

    const send = sendPath.exec(url.pathname);
    if (req.method === 'POST' && send) {
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      const expiresAt = auth?.[1] ? tokens.get(auth[1]) : undefined;
      if (expiresAt === undefined || Date.now() >= expiresAt) {
        return graphError(res, 401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
      }
      if (failure && failure.remaining > 0) {
        failure.remaining--;
        if (failure.status === 429 || failure.status === 503) res.setHeader('Retry-After', '1');
        return graphError(res, failure.status, failure.status === 429 ? 'ApplicationThrottled' : 'ErrorInternalServerTransientError', 'Injected failure');
      }
      if (!/^text\/plain\b/i.test(req.headers['content-type'] ?? '')) {
        return graphError(res, 400, 'ErrorInvalidRequest', 'Emulator accepts MIME sendMail (Content-Type: text/plain) only.');
      }
      const b64 = body.toString('ascii').replace(/\s+/g, '');
      if (!BASE64.test(b64)) {
        return graphError(res, 400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
      }
      messages.push({ mailbox: decodeURIComponent(send[1] ?? ''), raw: Buffer.from(b64, 'base64').toString('utf8') });
      res.writeHead(202).end();
      return;
    }

    graphError(res, 404, 'ResourceNotFound', `No route ${req.method ?? ''} ${url.pathname}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => graphError(res, 500, 'InternalServerError', String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    get tokenRequests() {
      return tokenRequests;
    },
    expireTokens() {
      for (const token of tokens.keys()) tokens.set(token, 0);
    },
    failNext(status: number, count = 1) {
      failure = { status, remaining: count };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // fetch keeps connections alive; drop them so close() does not wait for the idle timeout.
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function aadError(res: ServerResponse, status: number, error: string, description: string): void {
  json(res, status, { error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)] });
}

function graphError(res: ServerResponse, status: number, code: string, message: string): void {
  json(res, status, { error: { code, message, innerError: { date: new Date().toISOString() } } });
}
