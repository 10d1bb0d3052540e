/**
 * Receipts form a hash chain: each erasure appends one, linked to the one before; the verify endpoint
 * recomputes the chain and names the first broken link when a stored receipt was edited.
 */
import { sql } from 'kysely';
import { callJson } from '../harness/api';
import { awaitErasure, createErasureWorld, requestErasure, type ErasureWorld } from './world';

let world: ErasureWorld;
beforeAll(async () => {
  world = await createErasureWorld({ name: 'receipts' });
});
afterAll(() => world?.close());

it('links each receipt to the previous one and names the first edited receipt', async () => {
  const { app, keys, tdb } = world.ctx;
  const first = await requestErasure(world, { email: 'first@receipts.example', reference: 'T-1' });
  await awaitErasure(world, first.id);
  const second = await requestErasure(world, { email: 'second@receipts.example', reference: 'T-2' });
  await awaitErasure(world, second.id);

  const r1 = await callJson(app, keys.compliance, 'GET', `/v1/erasure-requests/${first.id}/receipt`, undefined, 200);
  const r2 = await callJson(app, keys.operator, 'GET', `/v1/erasure-requests/${second.id}/receipt`, undefined, 200);
  expect(r1.prevHash).toBe('0'.repeat(64));
  expect(r2.prevHash).toBe(r1.hash);
  expect(r1.body).toMatchObject({ requestId: first.id, reference: 'T-1', subject: { kind: 'email', addressHash: expect.stringMatching(/^[0-9a-f]{64}$/) }, steps: expect.arrayContaining([expect.objectContaining({ name: 'verify', status: 'completed' })]) });
  expect(JSON.stringify(r1)).not.toContain('first@receipts.example');
  expect(await callJson(app, keys.admin, 'GET', '/v1/erasure-receipts/verify', undefined, 200)).toEqual({ ok: true, receipts: 2, lastHash: r2.hash, message: 'All 2 receipt(s) link up.' });

  // Someone edits the first receipt in the database (e.g. to hide a retained reference).
  await sql`update erasure_receipts set body = jsonb_set(body, '{reference}', '"T-EDITED"') where seq = ${r1.seq}::bigint`.execute(tdb.db);
  const broken = await callJson(app, keys.compliance, 'GET', '/v1/erasure-receipts/verify', undefined, 200);
  expect(broken).toMatchObject({ ok: false, receipts: 2, brokenAt: { seq: r1.seq, requestId: first.id, problem: 'hash_mismatch' }, message: expect.stringMatching(new RegExp(`receipt #${r1.seq}`)) });
});
