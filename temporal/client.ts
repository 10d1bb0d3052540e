/**
 * The one place that builds Temporal `Connection`s and `Client`s. Everything that talks to Temporal
 * as a client (API, worker schedules and visibility queries, scripts, benchmarks, tests) goes through
 * here, and so gets the data converter from `dataConverter()`.
 */
import { Client, Connection } from '@temporalio/client';
import type { AppConfig } from '../domain/config';
import { dataConverter, type DataConverterSettings } from './data-converter';

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** Settings the data converter depends on. */
  settings: DataConverterSettings;
}

export interface TemporalClient {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

/** Where the service's Temporal is: TEMPORAL_ADDRESS (or the local dev server), the namespace and the converter settings. */
export function temporalTarget(config: AppConfig, address = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`): TemporalTarget {
  return { address, namespace: config.TEMPORAL_NAMESPACE, settings: config };
}

function clientOf(connection: Connection, target: TemporalTarget): TemporalClient {
  const client = new Client({ connection, namespace: target.namespace, dataConverter: dataConverter(target.settings) });
  return { client, connection, close: () => connection.close() };
}

export async function connectTemporal(target: TemporalTarget, opts: { connectTimeoutMs?: number } = {}): Promise<TemporalClient> {
  const connection = await Connection.connect({ address: target.address, ...(opts.connectTimeoutMs !== undefined && { connectTimeout: opts.connectTimeoutMs }) });
  return clientOf(connection, target);
}

/**
 * A client that connects on first use (and fails then, not now): for processes that must start while
 * Temporal is down. `grpcRetries: false` makes every call fail at once instead of retrying.
 */
export function lazyTemporalClient(target: TemporalTarget, opts: { connectTimeoutMs?: number; grpcRetries?: boolean } = {}): TemporalClient {
  const connection = Connection.lazy({
    address: target.address,
    ...(opts.connectTimeoutMs !== undefined && { connectTimeout: opts.connectTimeoutMs }),
    ...(opts.grpcRetries === false && { interceptors: [] }),
  });
  return clientOf(connection, target);
}
