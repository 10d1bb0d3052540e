/**
 * Replication API: GET /sobjects/{T}/updated and /deleted (salesforce-wire.md §4). Seconds are ignored,
 * start must precede end by at least a minute, updated covers 30 days and deleted 15 days (or less after
 * a purge); latestDateCovered never passes now minus the configured commit lag.
 */
import type { ObjectDef } from './schema';
import type { ApiRequest, EmulatorState } from './state';
import { UPDATED_RETENTION_MS } from './org';
import { ApiError, MINUTE, floorMinute, formatDateTime, json, parseDateTime, type Reply } from './wire';

const replicationError = (message: string): ApiError => new ApiError(400, 'INVALID_REPLICATION_DATE', message);

function window(state: EmulatorState, req: ApiRequest): { start: number; latest: number } {
  // A raw `+` in a query string decodes to a space.
  const read = (name: string): number => {
    const raw = req.query.get(name);
    const ms = raw ? parseDateTime(raw.replace(/ (\d{2}:?\d{2})$/, '+$1')) : undefined;
    if (ms === undefined) throw new ApiError(400, 'MALFORMED_QUERY', `${name} is missing or not a valid dateTime`);
    return floorMinute(ms);
  };
  const start = read('start');
  const end = read('end');
  if (end - start < MINUTE) throw replicationError('startDate must chronologically precede endDate by more than one minute');
  const now = state.clock.now();
  const latest = Math.min(end, floorMinute(now - state.settings.commitLagSeconds * 1000));
  return { start, latest };
}

export function handleUpdated(state: EmulatorState, req: ApiRequest, object: ObjectDef): Reply {
  const { start, latest } = window(state, req);
  if (start < floorMinute(state.clock.now() - UPDATED_RETENTION_MS)) throw replicationError('startDate cannot be more than 30 days ago');
  const hits: Array<[number, string]> = [];
  for (const rec of state.org.table(object.name).values()) {
    const stamp = rec.SystemModstamp as number;
    if (!rec.IsDeleted && stamp >= start && stamp < latest) hits.push([stamp, rec.Id as string]);
  }
  if (hits.length > 600_000) throw new ApiError(400, 'EXCEEDED_ID_LIMIT', 'too many ids; narrow the date range');
  hits.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  return json(200, { ids: hits.map(([, id]) => id), latestDateCovered: formatDateTime(Math.max(latest, start)) });
}

export function handleDeleted(state: EmulatorState, req: ApiRequest, object: ObjectDef): Reply {
  const { start, latest } = window(state, req);
  state.org.expireRecycleBin();
  const earliest = state.org.earliestDeletedAvailable(object.name);
  if (start < earliest) throw replicationError(`startDate is before the earliest date available for deleted records (${formatDateTime(earliest)})`);
  const hits = state.org
    .deletedEntries(object.name)
    .filter(([, at]) => at >= start && at < latest)
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  if (hits.length > 600_000) throw new ApiError(400, 'EXCEEDED_ID_LIMIT', 'too many ids; narrow the date range');
  return json(200, {
    deletedRecords: hits.map(([id, at]) => ({ id, deletedDate: formatDateTime(at) })),
    earliestDateAvailable: formatDateTime(earliest),
    latestDateCovered: formatDateTime(Math.max(latest, start)),
  });
}
