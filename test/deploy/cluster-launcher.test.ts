import os from 'node:os';
import { findGo, goEnv } from '../../scripts/cluster/go-tools';
import { fixedPorts } from '../../scripts/cluster/ports';
import { loadClusterSettings } from '../../scripts/cluster/settings';
import { temporalInstances } from '../../scripts/cluster/temporal-config';

/** The parts of `npm run cluster` that need no server: its Go, its ports, its settings. */
describe('npm run cluster', () => {
  it('says in one sentence that Go is missing', () => {
    expect(() => findGo('/nonexistent', [])).toThrow(/^Go is not installed \(.*\): install Go 1\.25 or newer to build the Temporal server that `npm run cluster` runs\.$/);
    expect(findGo(process.env.PATH)).toMatch(/\/go$/);
  });

  it('builds with the machine toolchain only, modules from the proxy, keeping the caller\'s GOFLAGS', () => {
    const saved = process.env.GOFLAGS;
    process.env.GOFLAGS = '-buildvcs=false';
    try {
      expect(goEnv({ GOBIN: '/x' })).toMatchObject({ GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false -mod=mod', GOBIN: '/x' });
    } finally {
      if (saved === undefined) delete process.env.GOFLAGS;
      else process.env.GOFLAGS = saved;
    }
  });

  it("keeps clear of npm start's ports and data by default, and gives every process its own ports", () => {
    const settings = loadClusterSettings({}, os.tmpdir());
    expect(settings.dataDir).toBe(`${os.tmpdir()}/.data/cluster`);
    const used = [settings.ports.postgres, settings.ports.ui, settings.ports.smtpSink, settings.ports.psaEmulator, ...settings.ports.api, settings.ports.frontend.http, ...temporalInstances(settings.ports).flatMap((i) => [i.ports.grpc, i.ports.membership])];
    expect(new Set(used).size).toBe(used.length);
    for (const npmStartPort of [3000, 7233, 8233, 55432, 2525, 4010, 4030]) expect(used).not.toContain(npmStartPort);
    // Temporal stores membership ports in a smallint.
    expect(temporalInstances(settings.ports).every((i) => i.ports.membership < 32768)).toBe(true);
    expect(temporalInstances(fixedPorts({ postgres: 1, temporalBase: 7300, ui: 2, apiBase: 3, smtpSink: 5, psaEmulator: 6 })).map((i) => i.id)).toEqual(['frontend-1', 'history-1', 'history-2', 'matching-1', 'matching-2', 'worker-1']);
  });
});
