import type { ManagedProcess } from '../managed-process';
import { isAlive, processTree } from './process-tree';

/**
 * The cluster's processes by service and replica: each can be killed with any signal and started
 * again from the same recipe (what the chaos tests do), and an exit nobody asked for is recorded
 * (and reported through `onUnexpectedExit`, which the launcher turns into a full stop).
 */
export type ServiceName = 'postgres' | 'frontend' | 'history' | 'matching' | 'temporal-worker' | 'ui' | 'api' | 'worker';

export interface ProcessInfo {
  service: ServiceName;
  index: number;
  name: string;
  pid: number | undefined;
  running: boolean;
  /** How many times it was started (1 + restarts). */
  starts: number;
}

export interface UnexpectedExit {
  service: ServiceName;
  index: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

interface Entry {
  service: ServiceName;
  index: number;
  /** Spawns the process and resolves once it is ready. */
  launch: () => Promise<ManagedProcess>;
  proc?: ManagedProcess;
  expectingExit: boolean;
  starts: number;
}

const key = (service: ServiceName, index: number) => `${service}#${index}`;

export class Supervisor {
  private readonly entries = new Map<string, Entry>();
  readonly unexpectedExits: UnexpectedExit[] = [];
  /** Every pid ever started, restarts included. */
  readonly allPids = new Set<number>();
  onUnexpectedExit: (exit: UnexpectedExit, name: string) => void = () => undefined;

  async start(service: ServiceName, index: number, launch: () => Promise<ManagedProcess>): Promise<ManagedProcess> {
    const entry: Entry = this.entries.get(key(service, index)) ?? { service, index, launch, expectingExit: false, starts: 0 };
    entry.launch = launch;
    this.entries.set(key(service, index), entry);
    return this.launch(entry);
  }

  private async launch(entry: Entry): Promise<ManagedProcess> {
    entry.expectingExit = false;
    entry.starts++;
    const proc = await entry.launch();
    entry.proc = proc;
    if (proc.child.pid !== undefined) this.allPids.add(proc.child.pid);
    void proc.exited.then((code) => {
      if (entry.proc !== proc || entry.expectingExit) return;
      const exit = { service: entry.service, index: entry.index, code, signal: proc.child.signalCode, at: Date.now() };
      this.unexpectedExits.push(exit);
      this.onUnexpectedExit(exit, proc.name);
    });
    return proc;
  }

  private entry(service: ServiceName, index: number): Entry {
    const entry = this.entries.get(key(service, index));
    if (!entry) throw new Error(`no ${service} #${index} in this cluster`);
    return entry;
  }

  get(service: ServiceName, index: number): ManagedProcess | undefined {
    return this.entries.get(key(service, index))?.proc;
  }

  /** Sends `signal` and waits for the process to exit (SIGKILL after `graceMs`). The exit is expected. */
  async kill(service: ServiceName, index: number, signal: NodeJS.Signals = 'SIGKILL', graceMs = 15_000): Promise<void> {
    const entry = this.entry(service, index);
    entry.expectingExit = true;
    await entry.proc?.stop({ signal, graceMs });
  }

  /** Stops it (SIGTERM unless `signal`) if it runs, then starts it again from the same recipe and waits until it is ready. */
  async restart(service: ServiceName, index: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<ManagedProcess> {
    await this.kill(service, index, signal);
    return this.relaunch(service, index);
  }

  /** Starts a killed process again from its recipe and waits until it is ready. */
  async relaunch(service: ServiceName, index: number): Promise<ManagedProcess> {
    const entry = this.entry(service, index);
    if (entry.proc && entry.proc.child.exitCode === null && entry.proc.child.signalCode === null) throw new Error(`${entry.proc.name} is still running`);
    return this.launch(entry);
  }

  list(): ProcessInfo[] {
    return [...this.entries.values()].map((e) => ({
      service: e.service,
      index: e.index,
      name: e.proc?.name ?? `${e.service}-${e.index + 1}`,
      pid: e.proc?.child.pid,
      running: !!e.proc && e.proc.child.exitCode === null && e.proc.child.signalCode === null,
      starts: e.starts,
    }));
  }

  /**
   * Stops the services tier by tier (each tier in parallel; a function in the list runs at its turn,
   * e.g. to close in-process servers between the workers and Temporal), then makes sure nothing
   * survived: every process in the tree of a started process when the stop began must be gone.
   * Survivors are SIGKILLed and returned, so a caller can report them. Services no tier names stop
   * just before the last tier.
   */
  async stopAll(tiers: Array<ServiceName[] | (() => Promise<void>)>, graceMs = 10_000): Promise<{ leftBehind: number[] }> {
    const running = [...this.entries.values()].map((e) => e.proc?.child.pid).filter((p): p is number => p !== undefined);
    const tree = processTree(running);
    const listed = tiers.filter(Array.isArray).flat();
    const rest = [...new Set([...this.entries.values()].map((e) => e.service))].filter((s) => !listed.includes(s));
    const plan = [...tiers.slice(0, -1), rest, ...tiers.slice(-1)];
    for (const tier of plan) {
      if (typeof tier === 'function') {
        await tier().catch(() => undefined);
        continue;
      }
      const stops = [...this.entries.values()].filter((e) => tier.includes(e.service)).map((e) => {
        e.expectingExit = true;
        return e.proc?.stop({ graceMs });
      });
      await Promise.allSettled(stops);
    }
    const leftBehind = [...new Set([...tree, ...this.allPids])].filter(isAlive);
    for (const pid of leftBehind) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone in the meantime.
      }
    }
    return { leftBehind };
  }
}
