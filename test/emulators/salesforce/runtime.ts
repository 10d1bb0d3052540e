/** Cross-cutting emulator state: API limits, injected faults, the request journal and tunable behaviour. */

export interface ApiLimits {
  max: number;
  used: number;
}

/**
 * An injected fault for the next `times` requests whose method matches and whose path contains `path`
 * (or matches `pathRegex`): an HTTP status with a Salesforce error body, a request never answered
 * (`timeout`), a dropped connection (`reset`), or the normal answer sent `delayMs` late (`delay`).
 */
export interface FaultRule {
  id: number;
  method?: string;
  path?: string;
  pathRegex?: string;
  times: number;
  kind: 'status' | 'timeout' | 'reset' | 'delay';
  status?: number;
  delayMs?: number;
  errorCode?: string;
  message?: string;
}

export type FaultInput = Omit<FaultRule, 'id' | 'times'> & { times?: number };

export class Faults {
  private rules: FaultRule[] = [];
  private nextId = 1;

  add(input: FaultInput): FaultRule {
    if (input.kind === 'status' && !input.status) throw new RangeError('a status fault needs `status`');
    if (input.kind === 'delay' && !(input.delayMs! > 0)) throw new RangeError('a delay fault needs `delayMs`');
    const rule: FaultRule = { ...input, id: this.nextId++, times: input.times ?? 1 };
    this.rules.push(rule);
    return rule;
  }

  /** Consumes one use of the first matching rule. */
  take(method: string, path: string): FaultRule | undefined {
    const rule = this.rules.find(
      (r) =>
        r.times > 0 &&
        (!r.method || r.method.toUpperCase() === method) &&
        (!r.path || path.includes(r.path)) &&
        (!r.pathRegex || new RegExp(r.pathRegex).test(path)),
    );
    if (!rule) return undefined;
    rule.times--;
    if (rule.times <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule;
  }

  list(): FaultRule[] {
    return [...this.rules];
  }

  clear(): void {
    this.rules = [];
  }
}

export interface JournalEntry {
  method: string;
  /** Path and query string. */
  path: string;
  /** 0 when the connection was dropped or never answered. */
  status: number;
  /** Emulator clock, ISO-8601. */
  at: string;
  durationMs: number;
}

/** Bounded so a 100k-record benchmark cannot grow it without limit. */
export class Journal {
  private entries: JournalEntry[] = [];
  constructor(private readonly max = 200_000) {}

  add(entry: JournalEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
  }

  list(filter: { method?: string; path?: string } = {}): JournalEntry[] {
    return this.entries.filter((e) => (!filter.method || e.method === filter.method.toUpperCase()) && (!filter.path || e.path.includes(filter.path)));
  }

  clear(): void {
    this.entries = [];
  }
}

export interface EmulatorSettings {
  /** REST query page size (Salesforce: 2000; `Sforce-Query-Options: batchSize` may lower it). Tests may go below 200. */
  queryPageSize: number;
  /** Bulk 2.0 query results page size when the request has no `maxRecords`. */
  bulkQueryPageSize: number;
  /** How many job-status reads report `InProgress` before a bulk job completes. */
  bulkPollsUntilComplete: number;
  /** `latestDateCovered` stays this far behind now (long-running transactions). */
  commitLagSeconds: number;
  /** The next ingest job ends `Failed` with this message. */
  failNextIngestJob?: string;
}

export const DEFAULT_SETTINGS: EmulatorSettings = {
  queryPageSize: 2000,
  bulkQueryPageSize: 10_000,
  bulkPollsUntilComplete: 1,
  commitLagSeconds: 0,
};
