import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { connectTemporal } from '../../temporal/client';
import { keywordSearchAttributeNames, registerSearchAttributes } from '../../temporal/search-attribute-registration';
import { waitFor } from '../managed-process';
import { NAMESPACE_RETENTION_HOURS } from './versions';

/** gRPC status code of a namespace that is already registered. */
const GRPC_ALREADY_EXISTS = 6;
/** gRPC status code of a query naming an attribute the server does not know (yet). */
const GRPC_INVALID_ARGUMENT = 3;

/**
 * Our namespace, then our search attributes (Keyword, registered by the same code `npm start` uses
 * against an external server, which refuses a set over SQL visibility's budget). Both steps are
 * idempotent: a second start finds them.
 */
export async function ensureNamespace(address: string, namespace: string): Promise<void> {
  // The launcher only registers things: no payloads cross this connection.
  const { connection, close } = await connectTemporal({ address, namespace, settings: { TEMPORAL_PAYLOAD_KEY: undefined } });
  try {
    await waitFor(
      `namespace ${namespace}`,
      async () => {
        try {
          await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${NAMESPACE_RETENTION_HOURS}h`) });
        } catch (err) {
          if ((err as { code?: number }).code !== GRPC_ALREADY_EXISTS) throw err;
        }
        // Registered is not yet visible to every frontend cache: wait until it reads back.
        await connection.workflowService.describeNamespace({ namespace });
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await registerSearchAttributes(connection, namespace);
    // Registration is refused past SQL visibility's limits (10 Keyword attributes): say so instead of starting half-configured.
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
    const missing = keywordSearchAttributeNames().filter((name) => customAttributes?.[name] !== keyword);
    if (missing.length > 0) throw new Error(`Search attributes not registered as Keyword on namespace ${namespace}: ${missing.join(', ')}`);
    await waitUntilUsable(connection, namespace, keywordSearchAttributeNames());
  } finally {
    await close();
  }
}

/**
 * Registered attributes reach the frontend's namespace cache on its next refresh (every 2 s; the
 * server does not re-read them per request, as `system.forceSearchAttributesCacheRefreshOnRead` would
 * at a database read per call, which Temporal says never to turn on in production). Until then a
 * start naming them is refused: wait until a visibility query naming every one is accepted.
 */
async function waitUntilUsable(connection: Connection, namespace: string, names: readonly string[]): Promise<void> {
  const query = names.map((name) => `${name} = 'probe'`).join(' OR ');
  await waitFor(
    `search attributes ${names.join(', ')} usable on namespace ${namespace}`,
    async () => {
      try {
        await connection.workflowService.countWorkflowExecutions({ namespace, query });
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === GRPC_INVALID_ARGUMENT) return false;
        throw err;
      }
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}
