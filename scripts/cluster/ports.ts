import net from 'node:net';
import { freePort } from '../free-port';

/**
 * Every port the cluster listens on. The defaults sit beside `npm start`'s (3000, 7233, 8233, 55432,
 * 2525, 4010) without touching them, so both can run at once; tests ask the OS for free ones.
 */
export interface RpcPorts {
  grpc: number;
  membership: number;
}

export interface ClusterPorts {
  /** The private PostgreSQL (unused with DATABASE_URL). */
  postgres: number;
  frontend: RpcPorts & { http: number };
  history: RpcPorts[];
  matching: RpcPorts[];
  /** Temporal's own internal worker service (system workflows), not ours. */
  internalWorker: RpcPorts;
  ui: number;
  api: number[];
  smtpSink: number;
  psaEmulator: number;
}

export interface Replicas {
  history: number;
  matching: number;
  apis: number;
  workers: number;
}

export const DEFAULT_REPLICAS: Replicas = { history: 2, matching: 2, apis: 2, workers: 2 };

/**
 * The fixed layout: Temporal's services in one block of 40 from `temporalBase` (frontend gRPC on the
 * base itself, gRPC ports at +0..+9, membership ports at +10..+19, second replicas at +20..+39), the
 * APIs on consecutive ports from `apiBase`.
 */
export function fixedPorts(opts: { postgres: number; temporalBase: number; ui: number; apiBase: number; smtpSink: number; psaEmulator: number }, replicas: Replicas = DEFAULT_REPLICAS): ClusterPorts {
  const b = opts.temporalBase;
  const replica = (offset: number, i: number) => ({ grpc: b + offset + 20 * i, membership: b + offset + 10 + 20 * i });
  return {
    postgres: opts.postgres,
    frontend: { grpc: b, http: b + 1, membership: b + 10 },
    history: Array.from({ length: replicas.history }, (_, i) => replica(2, i)),
    matching: Array.from({ length: replicas.matching }, (_, i) => replica(3, i)),
    internalWorker: { grpc: b + 4, membership: b + 14 },
    ui: opts.ui,
    api: Array.from({ length: replicas.apis }, (_, i) => opts.apiBase + i),
    smtpSink: opts.smtpSink,
    psaEmulator: opts.psaEmulator,
  };
}

/** Ports the OS says are free right now (tests: several suites share the machine). */
export async function freePorts(replicas: Replicas = DEFAULT_REPLICAS): Promise<ClusterPorts> {
  // The OS may hand out a port it just handed out (each probe closes its socket): never use one twice.
  const taken = new Set<number>();
  const port = async (): Promise<number> => {
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  const membershipPort = async (): Promise<number> => {
    for (;;) {
      const p = await freeLowPort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  const rpc = async (): Promise<RpcPorts> => ({ grpc: await port(), membership: await membershipPort() });
  const many = async <T>(n: number, make: () => Promise<T>): Promise<T[]> => {
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(await make());
    return out;
  };
  return {
    postgres: await port(),
    frontend: { ...(await rpc()), http: await port() },
    history: await many(replicas.history, rpc),
    matching: await many(replicas.matching, rpc),
    internalWorker: await rpc(),
    ui: await port(),
    api: await many(replicas.apis, port),
    smtpSink: await port(),
    psaEmulator: await port(),
  };
}

/**
 * Temporal keeps each host's membership port in a PostgreSQL `smallint` (cluster_membership.rpc_port):
 * a port above 32767 makes the process die at start ("greater than maximum value for int2"). The
 * OS hands out ports from 32768 up, so membership ports are picked at random below that, and checked.
 */
export async function freeLowPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(candidate)) return candidate;
  }
  throw new Error('no free port between 20000 and 32000');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `size` consecutive free ports below 32768 (see freeLowPort), for the fixed layout of `npm run cluster` in tests. */
export async function freeLowPortBlock(size: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - size));
    let free = true;
    for (let p = base; p < base + size && free; p++) free = await canListen(p);
    if (free) return base;
  }
  throw new Error(`no ${size} consecutive free ports between 20000 and 32000`);
}
