/**
 * The codec server on the API for the Temporal Web UI: POST /codec/decode and /codec/encode with an
 * operator or admin key (header, or the cookie /codec/login sets), CORS for the UI's origin only,
 * preflights answered, other roles refused, and what a worker encrypted decoded back.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { parsePayloadKeys } from '../../domain/payload-keys';
import { AesGcmPayloadCodec } from '../../temporal/codec/encryption-codec';
import { payloadToJson } from '../../temporal/codec/codec-server';
import { bearer } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';

const UI = 'http://127.0.0.1:8999';
const key = `k1:${randomBytes(32).toString('base64')}`;
let ctx: ApiContext;
let codec: AesGcmPayloadCodec;

beforeAll(async () => {
  ctx = await createApiContext({ TEMPORAL_PAYLOAD_KEY: key, TEMPORAL_UI_ORIGIN: `${UI},http://localhost:8999` });
  const ring = parsePayloadKeys(key);
  if (!ring.ok) throw new Error('bad key');
  codec = new AesGcmPayloadCodec(ring.ring);
});
afterAll(() => ctx?.close());

const body = async () => ({ payloads: [payloadToJson((await codec.encode([defaultPayloadConverter.toPayload({ enrollmentId: 'e-1' })]))[0]!)] });

it('decodes for operators and admins, with CORS for the UI origin', async () => {
  for (const role of ['operator', 'admin'] as const) {
    const res = await ctx.app.inject({ method: 'POST', url: '/codec/decode', headers: { ...bearer(ctx.keys[role]), origin: UI, 'x-namespace': 'default' }, payload: await body() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(Buffer.from(res.json().payloads[0].data, 'base64').toString()).toBe('{"enrollmentId":"e-1"}');
  }
  const encoded = await ctx.app.inject({ method: 'POST', url: '/codec/encode', headers: bearer(ctx.keys.operator), payload: { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"x"').toString('base64') }] } });
  expect(Buffer.from(encoded.json().payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
});

it('refuses reps, compliance and anonymous callers; no CORS for other origins', async () => {
  for (const role of ['rep', 'compliance'] as const) expect((await ctx.app.inject({ method: 'POST', url: '/codec/decode', headers: bearer(ctx.keys[role]), payload: await body() })).statusCode).toBe(403);
  const anonymous = await ctx.app.inject({ method: 'POST', url: '/codec/decode', headers: { origin: UI }, payload: await body() });
  expect(anonymous.statusCode).toBe(401);
  expect(anonymous.headers['access-control-allow-origin']).toBe(UI); // the UI can read why
  const other = await ctx.app.inject({ method: 'POST', url: '/codec/decode', headers: { ...bearer(ctx.keys.operator), origin: 'http://evil.example' }, payload: await body() });
  expect(other.headers['access-control-allow-origin']).toBeUndefined();
});

it('answers the preflight of the UI origin', async () => {
  const res = await ctx.app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' } });
  expect(res.statusCode).toBe(204);
  expect(res.headers['access-control-allow-headers']).toMatch(/x-namespace/);
  expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
});

it('signs the browser in with a cookie the UI sends with "Include cross-origin credentials"', async () => {
  expect((await ctx.app.inject({ method: 'GET', url: '/codec/login' })).body).toMatch(/<form method="post">/);
  const refused = await ctx.app.inject({ method: 'POST', url: '/codec/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `key=${encodeURIComponent(ctx.keys.rep)}` });
  expect(refused.statusCode).toBe(403);
  const login = await ctx.app.inject({ method: 'POST', url: '/codec/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `key=${encodeURIComponent(ctx.keys.operator)}` });
  expect(login.statusCode).toBe(200);
  const cookie = String(login.headers['set-cookie']);
  expect(cookie).toMatch(/crm_codec_key=.*; Path=\/codec; HttpOnly; SameSite=Lax/);
  const res = await ctx.app.inject({ method: 'POST', url: '/codec/decode', headers: { origin: UI, cookie: cookie.split(';')[0]! }, payload: await body() });
  expect(res.statusCode).toBe(200);
});

it('names a payload of an unknown key id (422) and a malformed body (400)', async () => {
  const unknown = await ctx.app.inject({ method: 'POST', url: '/codec/decode', headers: bearer(ctx.keys.admin), payload: { payloads: [{ metadata: { encoding: Buffer.from('binary/encrypted').toString('base64'), 'encryption-key-id': Buffer.from('gone').toString('base64') }, data: Buffer.alloc(40).toString('base64') }] } });
  expect(unknown.statusCode).toBe(422);
  expect(unknown.json().error.code).toBe('PAYLOAD_KEY_UNKNOWN');
  const bad = await ctx.app.inject({ method: 'POST', url: '/codec/decode', headers: bearer(ctx.keys.admin), payload: { payloads: [{ data: 'not base64!' }] } });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().error.details[0].path).toBe('body.payloads.0.data');
});
