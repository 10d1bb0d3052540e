import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { ClusterPorts, RpcPorts } from './ports';

/**
 * The Temporal server's configuration, one file per process (`<runDir>/config/<instance>.yaml`,
 * started with `--env <instance>`): the files differ only in the ports of the process's own service,
 * so two replicas of a service can run on one host. Persistence and visibility are both SQL on
 * PostgreSQL (`postgres12_pgx`); no metrics or pprof listeners (every process would claim the same port).
 */
export type TemporalService = 'frontend' | 'history' | 'matching' | 'worker';

export interface TemporalInstance {
  service: TemporalService;
  /** 0-based replica index. */
  index: number;
  /** `frontend-1`, `history-2`, ...: the config file and log file name. */
  id: string;
  ports: RpcPorts & { http?: number };
}

export interface SqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export const TEMPORAL_DATABASES = { persistence: 'temporal', visibility: 'temporal_visibility' } as const;

export function temporalInstances(ports: ClusterPorts): TemporalInstance[] {
  const make = (service: TemporalService, list: Array<RpcPorts & { http?: number }>) => list.map((p, index) => ({ service, index, id: `${service}-${index + 1}`, ports: p }));
  return [...make('frontend', [ports.frontend]), ...make('history', ports.history), ...make('matching', ports.matching), ...make('worker', [ports.internalWorker])];
}

export function writeTemporalConfig(opts: { runDir: string; ports: ClusterPorts; sql: SqlTarget; historyShards: number; logLevel?: string }): { configDir: string; instances: TemporalInstance[] } {
  const configDir = path.join(opts.runDir, 'config');
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const dynamicConfigFile = path.join(configDir, 'dynamic-config.yaml');
  writeFileSync(dynamicConfigFile, YAML.stringify(dynamicConfig()));
  const instances = temporalInstances(opts.ports);
  for (const instance of instances) {
    const file = path.join(configDir, `${instance.id}.yaml`);
    const text = `# Written by npm run cluster (scripts/cluster/temporal-config.ts) for ${instance.id}; rewritten at every start.\n${YAML.stringify(serverConfig({ ...opts, instance, dynamicConfigFile }))}`;
    // It holds the database password.
    writeFileSync(file, text, { mode: 0o600 });
  }
  return { configDir, instances };
}

function serverConfig(opts: { ports: ClusterPorts; sql: SqlTarget; historyShards: number; logLevel?: string; instance: TemporalInstance; dynamicConfigFile: string }) {
  const { ports, sql, instance } = opts;
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: { pluginName: 'postgres12_pgx', databaseName, connectAddr: `${sql.host}:${sql.port}`, connectProtocol: 'tcp', user: sql.user, password: sql.password, maxConns, maxIdleConns: maxConns, maxConnLifetime: '1h' },
  });
  const rpc = (service: TemporalService, first: RpcPorts & { http?: number }) => {
    const own = instance.service === service ? instance.ports : first;
    return { rpc: { grpcPort: own.grpc, membershipPort: own.membership, bindOnLocalHost: true, ...(own.http !== undefined && { httpPort: own.http }) } };
  };
  const frontendAddress = `127.0.0.1:${ports.frontend.grpc}`;
  return {
    log: { stdout: true, level: opts.logLevel ?? 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      // Fixed once the database is initialised; see versions.ts.
      numHistoryShards: opts.historyShards,
      datastores: {
        // 7 processes share PostgreSQL's 200 connections with the APIs and workers.
        'postgres-default': datastore(TEMPORAL_DATABASES.persistence, 10),
        'postgres-visibility': datastore(TEMPORAL_DATABASES.visibility, 5),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: rpc('frontend', ports.frontend),
      history: rpc('history', ports.history[0]!),
      matching: rpc('matching', ports.matching[0]!),
      worker: rpc('worker', ports.internalWorker),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: frontendAddress, httpAddress: `127.0.0.1:${ports.frontend.http}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: opts.dynamicConfigFile, pollInterval: '10s' },
  };
}

/** Server knobs (validated by `temporal-server validate-dynamic-config` on this version). */
function dynamicConfig() {
  const on = [{ value: true, constraints: {} }];
  return {
    'limit.maxIDLength': [{ value: 255, constraints: {} }],
    // A search attribute registered a moment ago is usable at once (the dev server does the same).
    'frontend.enableUpdateWorkflowExecution': on,
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted': on,
    'frontend.enableExecuteMultiOperation': on,
    'system.enableNexus': [{ value: false, constraints: {} }],
  };
}
