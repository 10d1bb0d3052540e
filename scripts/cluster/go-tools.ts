import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { toolsDir } from '../tool-binaries';

/**
 * Go programs built from the Go module proxy (`go install <package>@<version>`) into version-keyed,
 * git-ignored folders: `.tools/<name>/<version>/<name>`. Each tool gets its own GOBIN (the server,
 * the schema tool and the UI server would all be installed as `server`/`sql` and overwrite each other),
 * the build runs in a scratch GOBIN and the binary is renamed into place, so a build that is cut
 * short or runs twice at once never leaves half a binary where the launcher looks.
 */
export interface GoTool {
  /** Binary and folder name, e.g. `temporal-server`. */
  name: string;
  /** Full package path of the `main` package, e.g. `go.temporal.io/server/cmd/server`. */
  pkg: string;
  version: string;
}

export type Log = (msg: string) => void;

export const goToolDir = (tool: Pick<GoTool, 'name' | 'version'>) => path.join(toolsDir, tool.name, tool.version);
export const goToolPath = (tool: Pick<GoTool, 'name' | 'version'>) => path.join(goToolDir(tool), tool.name);

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The machine's Go, or one sentence saying what is missing. */
export function findGo(searchPath = process.env.PATH ?? '', fallbacks = ['/usr/local/go/bin/go', '/usr/lib/go/bin/go']): string {
  const go = searchPath.split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'go')).find(isExecutable) ?? fallbacks.find(isExecutable);
  if (!go) throw new Error('Go is not installed (no `go` on PATH or in /usr/local/go/bin): install Go 1.25 or newer to build the Temporal server that `npm run cluster` runs.');
  return go;
}

/** The machine's toolchain only (no toolchain download), modules from the proxy, the caller's other GOFLAGS kept. */
export function goEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const goflags = [process.env.GOFLAGS, '-mod=mod'].filter(Boolean).join(' ');
  return { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: goflags, ...extra };
}

/** Runs go with its output in `logFile`; every minute says it is still working; rejects with the log's tail. */
export function runGo(args: string[], opts: { logFile: string; env: NodeJS.ProcessEnv; what: string; log: Log; signal?: AbortSignal }): Promise<void> {
  const go = findGo();
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = openSync(opts.logFile, 'w');
  const started = Date.now();
  return new Promise<void>((resolve, reject) => {
    const child = spawn(go, args, { env: opts.env, stdio: ['ignore', fd, fd], signal: opts.signal });
    const ticker = setInterval(() => opts.log(`  still building ${opts.what} (${Math.round((Date.now() - started) / 1000)} s; log: ${path.relative(process.cwd(), opts.logFile)})`), 60_000);
    let settled = false;
    const done = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearInterval(ticker);
      closeSync(fd);
      if (err) reject(err);
      else resolve();
    };
    child.once('error', (err) => done(opts.signal?.aborted ? new Error(`building ${opts.what} was cancelled`) : new Error(`could not run ${go}: ${err.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) return done();
      const tail = readFileSync(opts.logFile, 'utf8').trim().split('\n').slice(-15).join('\n');
      done(new Error(`Building ${opts.what} failed (go ${args.join(' ')} exited with ${signal ?? code}):\n${tail}`));
    });
  });
}

/** The tool's binary, built first if it is not there yet. */
export async function ensureGoTool(tool: GoTool, log: Log, signal?: AbortSignal): Promise<string> {
  const target = goToolPath(tool);
  if (isExecutable(target)) return target;
  const dir = goToolDir(tool);
  mkdirSync(dir, { recursive: true });
  const scratch = mkdtempSync(path.join(dir, '.gobin-'));
  const started = Date.now();
  log(`building ${tool.name} ${tool.version}: go install ${tool.pkg}@${tool.version} (one time; the Temporal server takes ~8 min on 2 cores with empty Go caches)`);
  try {
    await runGo(['install', `${tool.pkg}@${tool.version}`], { logFile: path.join(dir, 'build.log'), env: goEnv({ GOBIN: scratch }), what: `${tool.name} ${tool.version}`, log, signal });
    const built = path.join(scratch, path.basename(tool.pkg));
    if (!existsSync(built)) throw new Error(`go install finished but ${built} is missing`);
    renameSync(built, target);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  log(`built ${tool.name} ${tool.version} in ${Math.round((Date.now() - started) / 1000)} s -> ${path.relative(process.cwd(), target)}`);
  return target;
}

/** Where the module's source is in the Go module cache (downloaded if needed). */
export async function goModuleDir(module: string, version: string, log: Log, signal?: AbortSignal): Promise<string> {
  const logFile = path.join(toolsDir, `.go-mod-download-${process.pid}.json`);
  await runGo(['mod', 'download', '-json', `${module}@${version}`], { logFile, env: goEnv(), what: `${module}@${version} (download)`, log, signal });
  const out = readFileSync(logFile, 'utf8');
  const info = JSON.parse(out.slice(out.indexOf('{'))) as { Dir?: string; Error?: string };
  rmSync(logFile, { force: true });
  if (!info.Dir) throw new Error(`go mod download ${module}@${version} gave no folder${info.Error ? `: ${info.Error}` : ''}`);
  return info.Dir;
}
