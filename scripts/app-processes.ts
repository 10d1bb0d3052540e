import path from 'node:path';
import { spawnManaged, waitFor, type ManagedProcess } from './managed-process';

/** The API and worker entry points as child processes of a launcher. */
const projectRoot = path.resolve(__dirname, '..');
export const APP_ENTRIES = { api: 'api/main.ts', worker: 'worker/main.ts' } as const;
export type AppKind = keyof typeof APP_ENTRIES;

/** pino lines at warn level or above, and anything that is not a pino line (a crash's stack trace). */
export const warningsAndErrors = (line: string) => !line.startsWith('{') || /"level":(4|5|6)0\b/.test(line);

export function spawnApp(kind: AppKind, opts: { name?: string; env: NodeJS.ProcessEnv; logFile?: string; echo?: (line: string) => boolean; detached?: boolean }): ManagedProcess {
  return spawnManaged(opts.name ?? kind, process.execPath, ['--import', 'tsx', path.join(projectRoot, APP_ENTRIES[kind])], {
    env: opts.env,
    cwd: projectRoot,
    logFile: opts.logFile,
    echo: opts.echo,
    detached: opts.detached ?? true,
    stopSignal: 'SIGTERM',
  });
}

export function waitApiReady(url: string, proc: ManagedProcess, timeoutMs = 90_000): Promise<void> {
  return waitFor(`API ${url}/readyz`, async () => (await fetch(`${url}/readyz`)).status === 200, { timeoutMs, intervalMs: 250, exited: proc.exited });
}

/** The worker prints `worker started` once it polls its task queue. Needs a process spawned with a logFile (piped output). */
export function waitWorkerStarted(proc: ManagedProcess, timeoutMs = 90_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${proc.name} did not start polling within ${timeoutMs} ms`)), timeoutMs);
    proc.child.stdout?.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4096);
      if (seen.includes('worker started')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${proc.name} exited (code ${code}) before it started polling`));
    });
  });
}
