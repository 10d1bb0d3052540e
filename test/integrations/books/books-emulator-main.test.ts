/** The standalone Books emulator process (`npm start` runs it): port and key from the environment, prints its URL. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createBooksClient } from '../../../integrations/books/client';
import { freePort } from '../../../scripts/free-port';

const ROOT = path.resolve(__dirname, '../../..');
const children = new Set<ChildProcess>();

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/emulators/books/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => children.delete(child));
  return { child, output: () => output, exited };
}

async function waitForOutput(output: () => string, pattern: RegExp, exited: Promise<unknown>): Promise<RegExpMatchArray> {
  let done = false;
  void exited.then(() => (done = true));
  for (let i = 0; i < 300; i++) {
    const match = pattern.exec(output());
    if (match) return match;
    if (done) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${pattern} in output:\n${output()}`);
}

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
});

it('listens on BOOKS_EMULATOR_PORT, accepts BOOKS_API_KEY, prints its URL and stops on SIGTERM', async () => {
  const port = await freePort();
  const proc = run({ BOOKS_EMULATOR_PORT: String(port), BOOKS_API_KEY: 'main-test-key' });
  const [, url] = await waitForOutput(proc.output, /Books emulator listening on (http:\/\/\S+)/, proc.exited);
  expect(url).toBe(`http://127.0.0.1:${port}`);

  const books = createBooksClient({ baseUrl: url as string, apiKey: 'main-test-key', retries: 0 });
  const { invoice } = await books.createInvoice({ crmContactId: 'c-1', number: 'INV-1', amount: '10.00', currency: 'EUR', issuedAt: '2025-01-15' });
  await expect(books.listInvoices('c-1')).resolves.toEqual([invoice]);
  await expect(createBooksClient({ baseUrl: url as string, apiKey: 'other', retries: 0 }).listInvoices('c-1')).rejects.toThrow(/BOOKS_API_KEY/);

  proc.child.kill('SIGTERM');
  await expect(proc.exited).resolves.toBe(0);
});

it('refuses to start without BOOKS_API_KEY, saying so', async () => {
  const proc = run({ BOOKS_EMULATOR_PORT: String(await freePort()) });
  await expect(proc.exited).resolves.toBe(1);
  expect(proc.output()).toMatch(/BOOKS_API_KEY is required/);
});

it('refuses a port that is not a number', async () => {
  const proc = run({ BOOKS_EMULATOR_PORT: 'abc', BOOKS_API_KEY: 'k' });
  await expect(proc.exited).resolves.toBe(1);
  expect(proc.output()).toMatch(/BOOKS_EMULATOR_PORT must be a port number/);
});
