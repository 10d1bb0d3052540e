import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU time of every process the benchmark started, from Linux's /proc/<pid>/stat (utime + stime,
 * plus cutime + cstime: children that exited and were reaped during a phase still count, on their
 * parent). Grouped by what the process is (PostgreSQL's postmaster and backends, Temporal's
 * processes, our Node workers), so a phase's cost per send can be split by tier.
 */
export type CpuKind = 'postgres' | 'temporal' | 'worker' | 'other';

interface ProcCpu {
  comm: string;
  ppid: number;
  startTime: number;
  /** Own CPU (utime + stime), clock ticks. */
  own: number;
  /** Reaped children's CPU (cutime + cstime), clock ticks. */
  reaped: number;
}

export interface CpuSnapshot {
  self: number;
  procs: Map<number, ProcCpu>;
}

let ticksPerSecond: number | undefined;
const tickMs = (): number => 1000 / (ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);

function readProc(pid: number): ProcCpu | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    // Fields after the command name (which may hold spaces): state ppid … utime(11) stime(12) cutime(13) cstime(14) … starttime(19).
    const f = text.slice(close + 2).split(' ');
    const n = (i: number) => Number(f[i]);
    return { comm: text.slice(open + 1, close), ppid: n(1), startTime: n(19), own: n(11) + n(12), reaped: n(13) + n(14) };
  } catch {
    return undefined; // gone between readdir and read
  }
}

/**
 * This process's descendants (PostgreSQL backends, Temporal, workers), with their CPU counters;
 * `exclude`d processes and their descendants are left out (servers of another phase, idle meanwhile).
 */
export function snapshotCpu(exclude: readonly number[] = [], root = process.pid): CpuSnapshot {
  const all = new Map<number, ProcCpu>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const p = readProc(Number(entry));
    if (p) all.set(Number(entry), p);
  }
  const children = new Map<number, number[]>();
  for (const [pid, p] of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  const procs = new Map<number, ProcCpu>();
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    const p = all.get(pid);
    if (!p || procs.has(pid) || exclude.includes(pid)) continue;
    procs.set(pid, p);
    queue.push(...(children.get(pid) ?? []));
  }
  const me = all.get(root);
  return { self: me ? me.own : 0, procs };
}

/** CPU (own, ms) of one process so far: a worker's start-up cost, left out of the phase it starts. */
export function processCpuMs(pid: number): number {
  const p = readProc(pid);
  return p ? p.own * tickMs() : 0;
}

/** A process's CPU ms by thread name (/proc/<pid>/task), e.g. to tell the JS thread from the SDK core's. */
export function threadCpuMs(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')).replace(/[-_ ]?\d+$/, '');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      out[name] = Math.round((out[name] ?? 0) + (Number(f[11]) + Number(f[12])) * tickMs());
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

export function kindOf(comm: string): CpuKind {
  if (comm.startsWith('postgres')) return 'postgres';
  if (comm.startsWith('temporal')) return 'temporal';
  if (comm === 'node' || comm === 'MainThread' || comm.startsWith('tsx')) return 'worker';
  return 'other';
}

export interface CpuUsage {
  /** Milliseconds of CPU of the descendants, by kind, and their total. */
  byKind: Record<CpuKind, number>;
  totalMs: number;
  /** The benchmark process itself (SMTP sink, database polling; the API only in the enrollment phase). */
  benchProcessMs: number;
}

/**
 * CPU used between two snapshots. A process started in between counts from zero, less what
 * `excluded` says it spent before the phase's work began (a worker's start-up: loading the bundle).
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot, excluded: ReadonlyMap<number, number> = new Map()): CpuUsage {
  const byKind: Record<CpuKind, number> = { postgres: 0, temporal: 0, worker: 0, other: 0 };
  for (const [pid, p] of after.procs) {
    const was = before.procs.get(pid);
    const same = was && was.startTime === p.startTime;
    byKind[kindOf(p.comm)] += (p.own + p.reaped - (same ? was.own + was.reaped : 0)) * tickMs() - (same ? 0 : (excluded.get(pid) ?? 0));
  }
  const round = (n: number) => Math.round(n);
  for (const k of Object.keys(byKind) as CpuKind[]) byKind[k] = round(byKind[k]);
  return { byKind, totalMs: round(Object.values(byKind).reduce((a, b) => a + b, 0)), benchProcessMs: round((after.self - before.self) * tickMs()) };
}

/** Several phases' usage as one. */
export function sumCpu(usages: readonly CpuUsage[]): CpuUsage {
  const byKind: Record<CpuKind, number> = { postgres: 0, temporal: 0, worker: 0, other: 0 };
  for (const u of usages) for (const k of Object.keys(byKind) as CpuKind[]) byKind[k] += u.byKind[k];
  return { byKind, totalMs: usages.reduce((a, u) => a + u.totalMs, 0), benchProcessMs: usages.reduce((a, u) => a + u.benchProcessMs, 0) };
}

export type PerUnitCpu = { totalMs: number; byKind: Record<CpuKind, number>; benchProcessMs: number };

/** Per unit of work (a send), one decimal. */
export function perUnit(usage: CpuUsage, units: number): PerUnitCpu {
  const per = (ms: number) => Math.round((ms / units) * 10) / 10;
  return {
    totalMs: per(usage.totalMs),
    byKind: { postgres: per(usage.byKind.postgres), temporal: per(usage.byKind.temporal), worker: per(usage.byKind.worker), other: per(usage.byKind.other) },
    benchProcessMs: per(usage.benchProcessMs),
  };
}
