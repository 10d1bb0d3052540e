import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { rotatingLog } from './rotating-log';

/** A child process we started and must stop: SIGTERM (or the given signal), then SIGKILL after a grace period. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stop(opts?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<void>;
}

export interface SpawnManagedOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Write stdout/stderr to this file (rotated by size) instead of inheriting the terminal. */
  logFile?: string;
  /** With a logFile: also print the lines this accepts (e.g. warnings and errors) on the terminal. */
  echo?: (line: string) => boolean;
  uid?: number;
  gid?: number;
  stopSignal?: NodeJS.Signals;
  /** Own process group: a terminal's Ctrl-C reaches only us, and we stop children in order. */
  detached?: boolean;
}

export function spawnManaged(name: string, command: string, args: string[], opts: SpawnManagedOptions = {}): ManagedProcess {
  const spawnOpts: SpawnOptions = { env: opts.env ?? process.env, cwd: opts.cwd, detached: opts.detached ?? false, stdio: opts.logFile ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'] };
  if (opts.uid !== undefined) spawnOpts.uid = opts.uid;
  if (opts.gid !== undefined) spawnOpts.gid = opts.gid;
  const child = spawn(command, args, spawnOpts);
  if (opts.logFile) {
    const log = rotatingLog(opts.logFile);
    // Two sources, one file: whichever ends first must not end the file under the other ("write after end").
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('close', () => log.end());
    if (opts.echo) {
      const echo = opts.echo;
      for (const stream of [child.stdout, child.stderr]) {
        let partial = '';
        stream?.on('data', (chunk: Buffer) => {
          const lines = (partial + chunk.toString()).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) if (line && echo(line)) process.stderr.write(`[${name}] ${line}\n`);
        });
      }
    }
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  const stop = async ({ signal = opts.stopSignal ?? 'SIGTERM', graceMs = 10_000 } = {}): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { name, child, exited, stop };
}

/** Polls `probe` until it resolves true or the deadline passes; rejects with the last error. */
export async function waitFor(what: string, probe: () => Promise<boolean>, opts: { timeoutMs: number; intervalMs?: number; exited?: Promise<unknown> }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  let dead = false;
  void opts.exited?.then(() => {
    dead = true;
  });
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${what}: the process exited before it became ready`);
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
  throw new Error(`${what} did not become ready within ${opts.timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`);
}
