/**
 * The test control plane: the same operations in-process (`emulator.control.*`) and over HTTP under
 * /__emulator/ (unauthenticated, not journaled, not counted against API limits).
 */
import { limitsBody } from './api-routes';
import type { Actor, Rec, ValidationRule, WriteOutcome } from './org';
import { DEFAULT_SETTINGS, type EmulatorSettings, type FaultInput, type FaultRule, type JournalEntry } from './runtime';
import { findObject } from './schema';
import { jsonValue } from './soql';
import type { EmulatorState } from './state';
import { ApiError, json, parseDateTime, type Reply } from './wire';

export type SeedRecord = Record<string, unknown>;

export class SalesforceEmulatorControl {
  constructor(private readonly state: EmulatorState) {}

  /** Records as REST would show them (all fields), or undefined. Includes recycle-bin records. */
  record(id: string): Record<string, unknown> | undefined {
    const found = this.state.org.get(id);
    return found ? this.toJson(found.def.name, found.rec) : undefined;
  }

  records(object: string, opts: { includeDeleted?: boolean } = {}): Array<Record<string, unknown>> {
    const def = this.state.org.objectDef(object);
    return [...this.state.org.table(def.name).values()].filter((r) => opts.includeDeleted || !r.IsDeleted).map((r) => this.toJson(def.name, r));
  }

  count(object: string, opts: { includeDeleted?: boolean } = {}): number {
    let n = 0;
    for (const r of this.state.org.table(this.state.org.objectDef(object).name).values()) if (opts.includeDeleted || !r.IsDeleted) n++;
    return n;
  }

  private toJson(object: string, rec: Rec): Record<string, unknown> {
    const def = findObject(object)!;
    return Object.fromEntries(def.fields.map((f) => [f.name, jsonValue(f, rec[f.name] ?? null)]));
  }

  /** Seeds records (validated like an insert, but timestamps and read-only fields may be given). Returns the ids. */
  seed(object: string, records: SeedRecord[]): string[] {
    return this.state.org.seed(object, records);
  }

  /** `count` synthetic records in one shot (benchmarks: 100 000 Contacts in well under a second). */
  generate(object: string, count: number, opts: { accountId?: string; startAt?: string; spacingMs?: number; fields?: Record<string, unknown> } = {}): { count: number; firstId?: string; lastId?: string } {
    if (!Number.isInteger(count) || count < 0 || count > 2_000_000) throw new ApiError(400, 'INVALID_ARGUMENT', 'count must be 0..2000000');
    const startAt = opts.startAt ? parseDateTime(opts.startAt) : undefined;
    return this.state.org.generate(object, count, { ...opts, startAt });
  }

  /** Edits as a user (bumps LastModifiedDate + SystemModstamp) or as the system (SystemModstamp only). */
  edit(id: string, fields: Record<string, unknown>, as: Actor = 'user'): Record<string, unknown> {
    const rec = this.state.org.systemEdit(id, fields, as);
    return this.record(rec.Id as string)!;
  }

  delete(ids: string[]): WriteOutcome[] {
    return ids.map((id) => this.state.org.delete(id));
  }

  merge(object: string, winnerId: string, loserIds: string[]): { winnerId: string; mergedIds: string[] } {
    return this.state.org.merge(object, winnerId, loserIds);
  }

  undelete(ids: string[]): WriteOutcome[] {
    return this.state.org.undelete(ids);
  }

  purge(ids: string[]): { purged: number } {
    return { purged: this.state.org.purge(ids) };
  }

  convertLead(leadId: string, opts: { accountId?: string; contactId?: string } = {}): { leadId: string; accountId: string; contactId: string } {
    return this.state.org.convertLead(leadId, opts);
  }

  setValidationRules(rules: ValidationRule[]): void {
    this.state.org.validationRules = rules;
  }

  /** Freezes the clock at `iso` (or real time again with null). */
  setClock(iso: string | null): string {
    if (iso === null) this.state.clock.set(undefined);
    else {
      const ms = parseDateTime(iso);
      if (ms === undefined) throw new ApiError(400, 'INVALID_ARGUMENT', 'now must be an ISO-8601 datetime');
      this.state.clock.set(ms);
    }
    return new Date(this.state.clock.now()).toISOString();
  }

  advanceClock(ms: number): string {
    this.state.clock.advance(ms);
    return new Date(this.state.clock.now()).toISOString();
  }

  now(): string {
    return new Date(this.state.clock.now()).toISOString();
  }

  setLimits(limits: { dailyApiRequests: { max?: number; used?: number } }): { max: number; used: number } {
    const { max, used } = limits.dailyApiRequests;
    if (max !== undefined) this.state.limits.max = max;
    if (used !== undefined) this.state.limits.used = used;
    return { ...this.state.limits };
  }

  limits(): ReturnType<typeof limitsBody> {
    return limitsBody(this.state);
  }

  revokeTokens(): { revoked: number } {
    return { revoked: this.state.tokens.revokeAll() };
  }

  /** rejectAllTokens: every Bearer token is refused while tokens are still issued (the permanent-401 case). */
  setAuth(opts: { rejectAllTokens?: boolean; tokenTtlSeconds?: number }): void {
    if (opts.rejectAllTokens !== undefined) this.state.tokens.rejectAll = opts.rejectAllTokens;
    if (opts.tokenTtlSeconds !== undefined) this.state.tokens.ttlMs = opts.tokenTtlSeconds * 1000;
  }

  /** A refresh token as a web-server flow would have issued it, for the refresh_token grant. */
  issueRefreshToken(): string {
    return this.state.tokens.issueRefreshToken();
  }

  tokensIssued(): number {
    return this.state.tokens.issued;
  }

  addFault(fault: FaultInput): FaultRule {
    return this.state.faults.add(fault);
  }

  faults(): FaultRule[] {
    return this.state.faults.list();
  }

  clearFaults(): void {
    this.state.faults.clear();
  }

  requests(filter: { method?: string; path?: string } = {}): JournalEntry[] {
    return this.state.journal.list(filter);
  }

  clearRequests(): void {
    this.state.journal.clear();
  }

  settings(patch: Partial<EmulatorSettings> = {}): EmulatorSettings {
    Object.assign(this.state.settings, patch);
    return { ...this.state.settings };
  }

  /** Everything back to a fresh org: records, tokens, limits, faults, journal, cursors, jobs, settings; clock real. */
  reset(): void {
    const s = this.state;
    s.org.reset();
    s.org.restoreIntegrationUser();
    s.tokens.reset();
    s.limits.used = 0;
    s.faults.clear();
    s.journal.clear();
    s.cursors.clear();
    s.ingestJobs.clear();
    s.queryJobs.clear();
    Object.assign(s.settings, DEFAULT_SETTINGS, { failNextIngestJob: undefined });
    s.clock.set(undefined);
  }
}

function body(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  try {
    const parsed = JSON.parse(raw.toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ApiError(400, 'JSON_PARSER_ERROR', 'control requests take a JSON object');
}

const strings = (v: unknown, name: string): string[] => {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ApiError(400, 'INVALID_ARGUMENT', `${name} must be an array of ids`);
  return v as string[];
};

/** HTTP form of the control plane. */
export function dispatchControl(control: SalesforceEmulatorControl, method: string, path: string, query: URLSearchParams, raw: Buffer): Reply {
  const b = (): Record<string, unknown> => body(raw);
  const key = `${method} ${path.replace(/\/+$/, '')}`;
  const recordMatch = /^GET \/__emulator\/records\/([^/]+)(?:\/([^/]+))?$/.exec(key);
  if (recordMatch) {
    if (recordMatch[2]) {
      const rec = control.record(recordMatch[2]);
      return rec ? json(200, rec) : json(404, { error: 'not found' });
    }
    return json(200, control.records(recordMatch[1]!, { includeDeleted: query.get('includeDeleted') === 'true' }));
  }
  switch (key) {
    case 'GET /__emulator/health':
      return json(200, { ok: true, now: control.now() });
    case 'POST /__emulator/reset':
      control.reset();
      return json(200, { ok: true });
    case 'POST /__emulator/records': {
      const { object, records } = b();
      if (typeof object !== 'string' || !Array.isArray(records)) throw new ApiError(400, 'INVALID_ARGUMENT', 'object and records are required');
      return json(201, { ids: control.seed(object, records as SeedRecord[]) });
    }
    case 'PATCH /__emulator/records': {
      const { id, fields, as } = b();
      if (typeof id !== 'string' || !fields || typeof fields !== 'object') throw new ApiError(400, 'INVALID_ARGUMENT', 'id and fields are required');
      return json(200, control.edit(id, fields as Record<string, unknown>, as === 'system' ? 'system' : 'user'));
    }
    case 'POST /__emulator/generate': {
      const { object, count, ...opts } = b();
      if (typeof object !== 'string' || typeof count !== 'number') throw new ApiError(400, 'INVALID_ARGUMENT', 'object and count are required');
      return json(201, control.generate(object, count, opts as Parameters<SalesforceEmulatorControl['generate']>[2]));
    }
    case 'POST /__emulator/delete':
      return json(200, control.delete(strings(b().ids, 'ids')));
    case 'POST /__emulator/merge': {
      const { object, winnerId, loserIds } = b();
      if (typeof object !== 'string' || typeof winnerId !== 'string') throw new ApiError(400, 'INVALID_ARGUMENT', 'object and winnerId are required');
      return json(200, control.merge(object, winnerId, strings(loserIds, 'loserIds')));
    }
    case 'POST /__emulator/undelete':
      return json(200, control.undelete(strings(b().ids, 'ids')));
    case 'POST /__emulator/purge':
      return json(200, control.purge(strings(b().ids, 'ids')));
    case 'POST /__emulator/convert-lead': {
      const { leadId, accountId, contactId } = b();
      if (typeof leadId !== 'string') throw new ApiError(400, 'INVALID_ARGUMENT', 'leadId is required');
      return json(200, control.convertLead(leadId, { accountId: accountId as string | undefined, contactId: contactId as string | undefined }));
    }
    case 'PUT /__emulator/validation-rules':
      return json(200, (control.setValidationRules((b().rules ?? []) as ValidationRule[]), { ok: true }));
    case 'GET /__emulator/clock':
      return json(200, { now: control.now() });
    case 'PUT /__emulator/clock': {
      const { now } = b();
      if (now !== null && typeof now !== 'string') throw new ApiError(400, 'INVALID_ARGUMENT', 'now must be an ISO datetime or null');
      return json(200, { now: control.setClock(now) });
    }
    case 'POST /__emulator/clock/advance': {
      const { ms = 0, seconds = 0, minutes = 0, days = 0 } = b() as Record<string, number>;
      return json(200, { now: control.advanceClock(ms + seconds * 1000 + minutes * 60_000 + days * 86_400_000) });
    }
    case 'GET /__emulator/limits':
      return json(200, control.limits());
    case 'PUT /__emulator/limits': {
      const { dailyApiRequests } = b();
      if (!dailyApiRequests || typeof dailyApiRequests !== 'object') throw new ApiError(400, 'INVALID_ARGUMENT', 'dailyApiRequests is required');
      return json(200, { dailyApiRequests: control.setLimits({ dailyApiRequests: dailyApiRequests as { max?: number; used?: number } }) });
    }
    case 'POST /__emulator/tokens/revoke':
      return json(200, control.revokeTokens());
    case 'PUT /__emulator/auth':
      control.setAuth(b() as { rejectAllTokens?: boolean; tokenTtlSeconds?: number });
      return json(200, { ok: true });
    case 'POST /__emulator/refresh-tokens':
      return json(201, { refresh_token: control.issueRefreshToken() });
    case 'GET /__emulator/faults':
      return json(200, control.faults());
    case 'POST /__emulator/faults':
      return json(201, control.addFault(b() as unknown as FaultInput));
    case 'DELETE /__emulator/faults':
      control.clearFaults();
      return json(200, { ok: true });
    case 'GET /__emulator/requests':
      return json(200, control.requests({ method: query.get('method') ?? undefined, path: query.get('path') ?? undefined }));
    case 'DELETE /__emulator/requests':
      control.clearRequests();
      return json(200, { ok: true });
    case 'GET /__emulator/settings':
      return json(200, control.settings());
    case 'PUT /__emulator/settings':
      return json(200, control.settings(b() as Partial<EmulatorSettings>));
    default:
      throw new ApiError(404, 'NOT_FOUND', `no control route ${key}`);
  }
}
