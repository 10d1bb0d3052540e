import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../scripts/free-port';
import { freeLowPortBlock } from '../../scripts/cluster/ports';
import { isAlive, processTree } from '../../scripts/cluster/process-tree';
import { clusterDataDir, workflowBundlePath } from './harness/cluster-env';

/**
 * `npm run cluster` as a person runs it: it prints where everything is, the APIs answer, Ctrl-C
 * (SIGINT to the terminal's process group) and SIGHUP stop it with nothing left behind, and a second
 * start reuses the data of the first.
 */
jest.setTimeout(240_000);

const projectRoot = path.resolve(__dirname, '../..');
let env: NodeJS.ProcessEnv;
let dataDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dataDir = clusterDataDir('cli');
  env = {
    ...process.env,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
    DATABASE_URL: '',
    CLUSTER_DATA_DIR: dataDir,
    CLUSTER_PGPORT: String(await freePort()),
    CLUSTER_TEMPORAL_PORT: String(await freeLowPortBlock(40)),
    CLUSTER_UI_PORT: String(await freePort()),
    CLUSTER_API_PORT: String(await freeLowPortBlock(2)),
    CLUSTER_SMTP_SINK_PORT: String(await freePort()),
    CLUSTER_PSA_EMULATOR_PORT: String(await freePort()),
    WORKFLOW_BUNDLE_PATH: workflowBundlePath(),
  };
});
afterAll(() => {
  for (const child of children) if (child.pid) process.kill(-child.pid, 'SIGKILL');
});

/** Starts the launcher in its own process group (like a terminal job) and resolves with its banner. */
async function launch(): Promise<{ child: ChildProcess; banner: string; exited: Promise<number | null>; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cluster/main.ts'], { cwd: projectRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => children.delete(child));
  let output = '';
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 150 s:\n${output}`)), 150_000);
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      const at = output.indexOf('cluster is running');
      if (at >= 0 && output.includes('Logs ', at)) {
        clearTimeout(timer);
        resolve(output.slice(at));
      }
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    void exited.then((code) => reject(new Error(`the launcher exited (${code}) before it was ready:\n${output}`)));
  });
  return { child, banner, exited, output: () => output };
}

const apiUrls = () => [0, 1].map((i) => `http://127.0.0.1:${Number(env.CLUSTER_API_PORT) + i}`);

it('starts the whole topology, stops on Ctrl-C and SIGHUP leaving nothing behind, and keeps its data', async () => {
  const first = await launch();
  for (const url of apiUrls()) expect(first.banner).toContain(url);
  expect(first.banner).toContain(`Temporal UI   http://127.0.0.1:${env.CLUSTER_UI_PORT}`);
  expect(first.banner).toContain('frontend-1, history-1, history-2, matching-1, matching-2, worker-1');
  expect(first.banner).toContain('(created now: one key per role)');
  for (const url of apiUrls()) expect((await fetch(`${url}/readyz`)).status).toBe(200);
  const ui = (await (await fetch(`http://127.0.0.1:${env.CLUSTER_UI_PORT}/api/v1/namespaces/default/search-attributes`)).json()) as { customAttributes: Record<string, string> };
  expect(ui.customAttributes.ContactId).toBe('INDEXED_VALUE_TYPE_KEYWORD');

  const keys = JSON.parse(readFileSync(path.join(dataDir, 'dev-api-keys.json'), 'utf8')) as { rep: string };
  const created = await fetch(`${apiUrls()[1]}/v1/contacts`, { method: 'POST', headers: { authorization: `Bearer ${keys.rep}`, 'content-type': 'application/json' }, body: JSON.stringify({ firstName: 'Kept' }) });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };

  // Ctrl-C in a terminal: SIGINT to the whole foreground process group.
  const firstTree = processTree([first.child.pid!]);
  expect(firstTree.length).toBeGreaterThan(12);
  process.kill(-first.child.pid!, 'SIGINT');
  expect({ code: await first.exited, output: first.output() }).toEqual({ code: 0, output: expect.stringContaining('[cluster] stopped.') });
  expect(firstTree.filter(isAlive)).toEqual([]);

  const second = await launch();
  expect(second.banner).not.toContain('created now');
  const again = await fetch(`${apiUrls()[0]}/v1/contacts/${id}`, { headers: { authorization: `Bearer ${keys.rep}` } });
  expect(again.status).toBe(200);
  const secondTree = processTree([second.child.pid!]);
  process.kill(second.child.pid!, 'SIGHUP');
  expect({ code: await second.exited, output: second.output() }).toEqual({ code: 0, output: expect.stringContaining('[cluster] stopped.') });
  expect(secondTree.filter(isAlive)).toEqual([]);
});
