/**
 * `npm start` as operators meet it (issue 8, items 12–14): a port in use says who holds it and whether
 * it is a leftover of ours; a checkout inside a private folder still starts PostgreSQL as root; child
 * logs go to rotated files, with warnings and errors echoed.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { warningsAndErrors } from '../../scripts/app-processes';
import { freePort } from '../../scripts/free-port';
import { spawnManaged } from '../../scripts/managed-process';
import { pidFiles } from '../../scripts/pid-files';
import { portInUseMessage } from '../../scripts/port-check';
import { canReach } from '../../scripts/postgres-data-location';
import { startPostgres } from '../../scripts/postgres-server';
import { rotatingLog } from '../../scripts/rotating-log';
import { resolvePostgresBinDir } from '../../scripts/tool-binaries';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'launcher-hardening-'));
// mkdtemp makes a private folder; the tests below choose which folders are private themselves.
chmodSync(tmp, 0o755);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('12. a port in use names its holder', () => {
  let server: net.Server;
  let port: number;
  beforeAll(async () => {
    server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("says it is a leftover of an earlier npm start when the holder's pid is in .data/run/", () => {
    const runDir = path.join(tmp, 'run-ours');
    pidFiles(runDir).record('api', process.pid);
    const message = portInUseMessage(port, 'API', 'PORT', runDir);
    expect(message).toContain(`pid ${process.pid}`);
    expect(message).toContain('"api" process of an earlier `npm start`');
    expect(message).toContain(`kill ${process.pid}`);
    expect(message).toContain('set PORT to another port');
  });

  it("says it is not ours when no pid file names the holder", () => {
    const message = portInUseMessage(port, 'API', 'PORT', path.join(tmp, 'run-empty'));
    expect(message).toContain(`held by pid ${process.pid}`);
    expect(message).toContain('not a process of this checkout');
  });
});

describe('13. a checkout inside a private folder', () => {
  it('knows when a user cannot walk down to a folder', () => {
    const privateDir = path.join(tmp, 'private');
    mkdirSync(path.join(privateDir, 'inner'), { recursive: true });
    chmodSync(privateDir, 0o700);
    const stranger = { uid: 12345, gid: 12345 };
    expect(canReach(path.join(privateDir, 'inner', 'data'), stranger.uid, stranger.gid)).toBe(false);
    chmodSync(privateDir, 0o755);
    expect(canReach(path.join(privateDir, 'inner', 'data'), stranger.uid, stranger.gid)).toBe(true);
  });

  it('starts PostgreSQL from it (as root the data moves where the postgres user can reach it)', async () => {
    const privateRoot = mkdtempSync(path.join(tmp, 'home-'));
    chmodSync(privateRoot, 0o700);
    const requested = path.join(privateRoot, 'checkout', '.data', 'postgres');
    const pg = await startPostgres({ binDir: resolvePostgresBinDir(process.env.PG_BIN_DIR), dataDir: requested, port: await freePort(), password: 'pw', logFile: path.join(tmp, 'pg-private.log'), ephemeral: true });
    try {
      const isRoot = process.getuid?.() === 0;
      if (isRoot) expect(pg.dataDir.startsWith('/var/lib/crm-workflows/')).toBe(true);
      else expect(pg.dataDir).toBe(requested);
      expect(existsSync(path.join(pg.dataDir, 'PG_VERSION'))).toBe(true);
    } finally {
      await pg.stop();
      if (pg.dataDir !== requested) rmSync(pg.dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('14. child logs', () => {
  it('go to a file, with warnings and errors echoed on the terminal', async () => {
    const logFile = path.join(tmp, 'logs', 'worker.log');
    const echoed: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      echoed.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const info = JSON.stringify({ level: 30, msg: 'worker started' });
      const warn = JSON.stringify({ level: 40, msg: 'idle connection lost' });
      const proc = spawnManaged('worker', '/bin/sh', ['-c', `echo '${info}'; echo '${warn}'; echo 'Error: boom' >&2`], { logFile, echo: warningsAndErrors });
      await proc.exited;
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.stderr.write = write;
    }
    const text = readFileSync(logFile, 'utf8');
    expect(text).toContain('worker started');
    expect(text).toContain('idle connection lost');
    expect(echoed.join('')).toContain('[worker] {"level":40');
    expect(echoed.join('')).toContain('[worker] Error: boom');
    expect(echoed.join('')).not.toContain('worker started');
  });

  it('are rotated by size, keeping a bounded number of old files', async () => {
    const dir = path.join(tmp, 'rotate');
    const log = rotatingLog(path.join(dir, 'api.log'), { size: '1K', maxFiles: 2 });
    for (let i = 0; i < 40; i++) {
      await new Promise<void>((resolve) => log.write(`${'x'.repeat(200)} line ${i}\n`, () => resolve()));
    }
    await new Promise<void>((resolve) => log.end(() => resolve()));
    await new Promise((r) => setTimeout(r, 300));
    const files = readdirSync(dir);
    expect(files).toContain('api.log');
    const rotated = files.filter((f) => f !== 'api.log' && !f.endsWith('.txt'));
    expect(rotated.length).toBeGreaterThan(0);
    expect(rotated.length).toBeLessThanOrEqual(2);
  });
});
