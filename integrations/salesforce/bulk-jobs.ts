/** Bulk API 2.0 job polling, driven by us (jsforce's poll blocks 30 s by default and deletes jobs on timeout). */
import type { ClientCore } from './core';
import { SalesforceRejectedError, SalesforceTransientError } from './errors';
import { JobInfoWire, paths } from './wire';

export interface PollOptions {
  /** Default 1 000 ms. */
  pollIntervalMs?: number;
  /** Default 10 minutes; on timeout a SalesforceTransientError (the job keeps running: resume with its id). */
  pollTimeoutMs?: number;
}

export async function jobInfo(core: ClientCore, kind: 'ingest' | 'query', id: string): Promise<JobInfoWire> {
  const raw = await core.call(() => core.requestJson('GET', kind === 'ingest' ? paths.ingestJob(id) : paths.queryJob(id)));
  return core.parse(JobInfoWire, raw, 'a bulk job');
}

/** Polls until JobComplete (returned), Failed or Aborted (thrown as rejected). */
export async function waitForJob(core: ClientCore, kind: 'ingest' | 'query', id: string, opts: PollOptions = {}): Promise<JobInfoWire> {
  const interval = opts.pollIntervalMs ?? 1000;
  const timeout = opts.pollTimeoutMs ?? 600_000;
  let waited = 0;
  for (;;) {
    const info = await jobInfo(core, kind, id);
    if (info.state === 'JobComplete') return info;
    if (info.state === 'Failed' || info.state === 'Aborted') {
      throw new SalesforceRejectedError({ errorCode: info.state === 'Failed' ? 'BULK_JOB_FAILED' : 'BULK_JOB_ABORTED' }, `Salesforce bulk ${kind} job ${id} ended ${info.state}`);
    }
    if (info.state === 'Open' && kind === 'ingest') throw new SalesforceRejectedError({ errorCode: 'BULK_JOB_OPEN' }, `Salesforce bulk ingest job ${id} is still open`);
    if (waited >= timeout) throw new SalesforceTransientError({ errorCode: 'BULK_POLL_TIMEOUT' }, `Salesforce bulk ${kind} job ${id} did not finish within ${timeout} ms`);
    await core.sleep(interval);
    waited += interval;
  }
}
