import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** A workflow's history exactly as the server stores it (gRPC, no data converter in between), and its bytes. */
export async function rawHistory(client: Client, workflowId: string): Promise<{ bytes: Buffer; events: temporal.api.history.v1.IHistoryEvent[] }> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId }, nextPageToken });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return { bytes: Buffer.from(temporal.api.history.v1.History.encode({ events }).finish()), events };
}
