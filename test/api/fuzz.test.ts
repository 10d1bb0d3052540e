/**
 * Property-based fuzzing of the whole API from its OpenAPI document (Schemathesis, authenticated as an
 * admin): valid and invalid inputs for every operation. No response may be a 5xx, and every response
 * must agree with the document (status documented, schema, content type).
 */
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveSchemathesis } from '../../scripts/tool-binaries';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { seedContact, seedSequence } from '../harness/seed';

const run = promisify(execFile);
jest.setTimeout(15 * 60_000);

let ctx: ApiContext;
beforeAll(async () => {
  // The fuzzer makes thousands of calls with one key from one address: the limits are tested elsewhere.
  ctx = await createApiContext({ WRITE_RATE_LIMIT_PER_MINUTE: '1000000', PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000', AUTH_FAILURE_LIMIT_PER_MINUTE: '1000000' });
  await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  // Something for the reads to find.
  await seedSequence(ctx.tdb.db);
  await seedContact(ctx.tdb.db, { firstName: 'Fuzz' });
});
afterAll(() => ctx?.close());

it('finds no 5xx and no response that disagrees with the OpenAPI document', async () => {
  const { python, env } = resolveSchemathesis();
  const base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  const args = [
    '-m', 'schemathesis.cli', '--config-file', path.join(__dirname, 'fuzz.schemathesis.toml'), 'run', `${base}/openapi.json`,
    '--checks', 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
    '--header', `Authorization: Bearer ${ctx.keys.admin}`,
    '--max-examples', process.env.FUZZ_MAX_EXAMPLES ?? '15',
    '--seed', process.env.FUZZ_SEED ?? '20261130',
    // The coverage phase trips a CPython 3.11 compiler bug inside the fuzzer ("AST constructor recursion
    // depth mismatch"), not in our API; examples and property-based fuzzing exercise every operation.
    '--phases', 'examples,fuzzing',
    '--workers', '1',
    '--no-color',
  ];
  const result = await run(python, args, { env, maxBuffer: 64 * 1024 * 1024 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
  );
  if (result.code !== 0) console.log(result.out.replace(/(%[0-9A-F]{2}){40,}/g, "%…").slice(-30_000));
  expect(result.code).toBe(0);
  expect(result.out).toMatch(/passed|PASSED/);
});
