/**
 * Requests Node's HTTP parser refuses before any route runs still get the one error shape, and the
 * OpenAPI document lists that status for every operation.
 */
import type { AddressInfo } from 'node:net';
import { createApiContext, type ApiContext } from '../harness/api-context';

let ctx: ApiContext;
let base: string;
beforeAll(async () => {
  ctx = await createApiContext();
  await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
});
afterAll(() => ctx?.close());

it('answers a URL over 16 KiB with 431 REQUEST_HEADERS_TOO_LARGE in the error shape', async () => {
  const res = await fetch(`${base}/v1/contacts?q=${'x'.repeat(20_000)}`, { headers: { authorization: `Bearer ${ctx.keys.admin}` } });
  expect(res.status).toBe(431);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await res.json()).toEqual({ error: { code: 'REQUEST_HEADERS_TOO_LARGE', message: expect.stringContaining('16 KiB'), details: [] } });
});

it('still serves a normal request on a new connection afterwards', async () => {
  const res = await fetch(`${base}/v1/contacts`, { headers: { authorization: `Bearer ${ctx.keys.admin}` } });
  expect(res.status).toBe(200);
});

it('documents 431 on every operation', async () => {
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
  const missing = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).filter(([, op]) => !op.responses?.['431']).map(([method]) => `${method} ${path}`));
  expect(missing).toEqual([]);
});
