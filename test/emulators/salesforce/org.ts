/**
 * The emulated org's data and record semantics (salesforce-wire.md §8): SystemModstamp on every change,
 * soft delete into the recycle bin (15 days), merge, undelete, purge, lead conversion, unique external ids,
 * and an undo log so sObject Collections can honour allOrNone.
 */
import type { EmulatorClock } from './clock';
import { KEY_PREFIXES, normaliseId, type IdFactory } from './ids';
import { coerceValue, type ValueSource } from './values';
import { OBJECTS, REPLICATED_OBJECTS, findField, findObject, objectOfId, type FieldDef, type ObjectDef } from './schema';
import { ApiError, DAY, MINUTE, floorMinute, floorSecond, formatDate, rowError, type RowError } from './wire';

/** Stored values: datetimes as epoch ms, dates as `YYYY-MM-DD`. */
export type Value = string | number | boolean | null;
export type Rec = Record<string, Value>;

export type WriteOutcome = { ok: true; id: string; created: boolean } | { ok: false; errors: RowError[] };

/** Who made a change: a user edit bumps LastModifiedDate and SystemModstamp, a system one only SystemModstamp. */
export type Actor = 'user' | 'system';

/** A test-configured validation rule: FIELD_CUSTOM_VALIDATION_EXCEPTION when `field` equals `equals`. */
export interface ValidationRule {
  object: string;
  field: string;
  equals: Value;
  message: string;
}

export const DELETED_RETENTION_MS = 15 * DAY;
export const UPDATED_RETENTION_MS = 30 * DAY;

const EMAIL_RE = /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

export class Org {
  readonly orgId: string;
  readonly integrationUserId: string;
  validationRules: ValidationRule[] = [];
  private tables = new Map<string, Map<string, Rec>>();
  /** Recycle bin / delete log per object: id → deletedDate. */
  private deleteLog = new Map<string, Map<string, number>>();
  /** Per object: replication of deletes is incomplete before this instant (purges, recycle-bin expiry). */
  private purgedBefore = new Map<string, number>();
  /** Live records by lower-cased external id value, per object. */
  private extIndex = new Map<string, Map<string, string>>();
  private undoLog: Array<() => void> | undefined;

  constructor(
    private readonly clock: EmulatorClock,
    private readonly ids: IdFactory,
  ) {
    this.orgId = ids.next(KEY_PREFIXES.Organization);
    this.integrationUserId = '';
    this.reset();
    this.integrationUserId = this.insertUser('Integration', 'User', 'integration@emulator.invalid');
  }

  reset(): void {
    for (const name of Object.keys(OBJECTS)) {
      this.tables.set(name, new Map());
      this.deleteLog.set(name, new Map());
      this.extIndex.set(name, new Map());
    }
    this.purgedBefore.clear();
    this.validationRules = [];
    this.undoLog = undefined;
  }

  /** Restores users after reset() (the integration user keeps its id). */
  restoreIntegrationUser(): void {
    const now = this.now();
    this.table('User').set(this.integrationUserId, {
      Id: this.integrationUserId, Name: 'Integration User', FirstName: 'Integration', LastName: 'User',
      Email: 'integration@emulator.invalid', IsActive: true, CreatedDate: now, LastModifiedDate: now, SystemModstamp: now,
    });
  }

  now(): number {
    return floorSecond(this.clock.now());
  }

  table(object: string): Map<string, Rec> {
    const t = this.tables.get(object);
    if (!t) throw new ApiError(404, 'NOT_FOUND', `The requested resource does not exist`);
    return t;
  }

  objectDef(name: string): ObjectDef {
    const def = findObject(name);
    if (!def) throw new ApiError(404, 'NOT_FOUND', `The requested resource does not exist`);
    return def;
  }

  /** Any record by id (live or in the recycle bin). */
  get(id: string): { def: ObjectDef; rec: Rec } | undefined {
    const id18 = normaliseId(id);
    const def = id18 ? objectOfId(id18) : undefined;
    const rec = def && id18 ? this.tables.get(def.name)?.get(id18) : undefined;
    return def && rec ? { def, rec } : undefined;
  }

  /** Runs `fn`; if it returns false every change made inside is rolled back (allOrNone). */
  transaction<T>(fn: () => { commit: boolean; value: T }): T {
    if (this.undoLog) return fn().value;
    this.undoLog = [];
    try {
      const { commit, value } = fn();
      if (!commit) for (const undo of this.undoLog.reverse()) undo();
      return value;
    } catch (err) {
      for (const undo of this.undoLog.reverse()) undo();
      throw err;
    } finally {
      this.undoLog = undefined;
    }
  }

  // ---- low-level mutations (all undoable) ----

  private put(def: ObjectDef, rec: Rec): void {
    const table = this.table(def.name);
    const id = rec.Id as string;
    const previous = table.get(id);
    table.set(id, rec);
    this.reindex(def, id, previous, rec);
    this.undoLog?.push(() => {
      if (previous) table.set(id, previous);
      else table.delete(id);
      this.reindex(def, id, rec, previous);
    });
  }

  private remove(def: ObjectDef, id: string): void {
    const table = this.table(def.name);
    const previous = table.get(id);
    if (!previous) return;
    table.delete(id);
    this.reindex(def, id, previous, undefined);
    this.undoLog?.push(() => {
      table.set(id, previous);
      this.reindex(def, id, undefined, previous);
    });
  }

  private logDelete(def: ObjectDef, id: string, at: number | undefined): void {
    const log = this.deleteLog.get(def.name)!;
    const previous = log.get(id);
    if (at === undefined) log.delete(id);
    else log.set(id, at);
    this.undoLog?.push(() => (previous === undefined ? log.delete(id) : log.set(id, previous)));
  }

  private reindex(def: ObjectDef, id: string, before: Rec | undefined, after: Rec | undefined): void {
    const index = this.extIndex.get(def.name);
    if (!index) return;
    for (const field of def.fields) {
      if (!field.externalId) continue;
      const old = before && !before.IsDeleted ? before[field.name] : null;
      const next = after && !after.IsDeleted ? after[field.name] : null;
      if (typeof old === 'string' && index.get(`${field.name}:${old.toLowerCase()}`) === id) index.delete(`${field.name}:${old.toLowerCase()}`);
      if (typeof next === 'string') index.set(`${field.name}:${next.toLowerCase()}`, id);
    }
  }

  findByExternalId(def: ObjectDef, field: FieldDef, value: string): string | undefined {
    return this.extIndex.get(def.name)?.get(`${field.name}:${value.toLowerCase()}`);
  }

  // ---- writes with Salesforce validation ----

  /**
   * Validates and converts input fields. `source: 'csv'` applies the Bulk conventions
   * (empty = leave unchanged on update, `#N/A` = null).
   */
  private prepare(def: ObjectDef, input: Record<string, unknown>, mode: 'create' | 'update', source: ValueSource, skip: string[] = []): { changes: Rec; errors: RowError[] } {
    const changes: Rec = {};
    const errors: RowError[] = [];
    const readOnly: string[] = [];
    for (const [key, raw] of Object.entries(input)) {
      if (key === 'attributes' || skip.some((s) => s.toLowerCase() === key.toLowerCase())) continue;
      const field = findField(def, key);
      if (!field) {
        errors.push(rowError('INVALID_FIELD', `No such column '${key}' on sobject of type ${def.name}`, [key]));
        continue;
      }
      if (source === 'csv' && raw === '' && mode === 'update') continue;
      if (mode === 'create' ? !field.createable : !field.updateable) {
        readOnly.push(field.name);
        continue;
      }
      const coerced = coerceValue(field, raw, source);
      if ('error' in coerced) {
        errors.push(coerced.error);
        continue;
      }
      const value = coerced.value;
      if (value === null && field.type === 'boolean') changes[field.name] = false;
      else changes[field.name] = value;
      const refError = value !== null && field.type === 'reference' ? this.checkReference(def, field, value as string) : undefined;
      if (refError) errors.push(refError);
      else if (field.type === 'reference' && value !== null) changes[field.name] = normaliseId(value as string)!;
      if (field.type === 'email' && typeof value === 'string' && !EMAIL_RE.test(value)) {
        errors.push(rowError('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${value}`, [field.name]));
      }
    }
    if (readOnly.length > 0) {
      errors.push(rowError('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, readOnly));
    }
    return { changes, errors };
  }

  private checkReference(def: ObjectDef, field: FieldDef, value: string): RowError | undefined {
    const id = normaliseId(value);
    const target = (field.referenceToAny ?? [field.referenceTo ?? '']).find((t) => id?.startsWith(OBJECTS[t]?.keyPrefix ?? '???')) ?? field.referenceTo ?? '';
    if (!id || !id.startsWith(OBJECTS[target]?.keyPrefix ?? '???')) {
      return rowError('MALFORMED_ID', `${field.label}: id value of incorrect type: ${value}`, [field.name]);
    }
    const found = this.tables.get(target)?.get(id);
    if (!found) return rowError('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [field.name]);
    if (found.IsDeleted) return rowError('ENTITY_IS_DELETED', `entity is deleted`, [field.name]);
    return undefined;
  }

  /** Required fields, uniqueness and validation rules on the record as it would be saved. */
  private checkRecord(def: ObjectDef, rec: Rec): RowError[] {
    const errors: RowError[] = [];
    const missing = def.fields.filter((f) => f.required && (rec[f.name] === null || rec[f.name] === undefined || rec[f.name] === ''));
    if (missing.length > 0) {
      errors.push(rowError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.map((f) => f.name).join(', ')}]`, missing.map((f) => f.name)));
    }
    for (const field of def.fields) {
      const value = rec[field.name];
      if (!field.unique || typeof value !== 'string') continue;
      const holder = this.findByExternalId(def, field, value);
      if (holder && holder !== rec.Id) {
        errors.push(rowError('DUPLICATE_VALUE', `duplicate value found: ${field.name} duplicates value on record with id: ${holder}`, [field.name]));
      }
    }
    for (const rule of this.validationRules) {
      const field = rule.object.toLowerCase() === def.name.toLowerCase() ? findField(def, rule.field) : undefined;
      if (field && rec[field.name] === rule.equals) errors.push(rowError('FIELD_CUSTOM_VALIDATION_EXCEPTION', rule.message, []));
    }
    return errors;
  }

  /** Every record written here has the audit fields (User records are only inserted via insertUser). */
  private stamp(rec: Rec, actor: Actor, created: boolean): void {
    const now = this.now();
    if (created) Object.assign(rec, { CreatedDate: now, CreatedById: this.integrationUserId });
    if (actor === 'user' || created) Object.assign(rec, { LastModifiedDate: now, LastModifiedById: this.integrationUserId });
    rec.SystemModstamp = now;
  }

  private withComputed(def: ObjectDef, rec: Rec): Rec {
    if (def.personName) rec.Name = [rec.FirstName, rec.LastName].filter((p) => typeof p === 'string' && p !== '').join(' ');
    return rec;
  }

  /** A new record with every field present (defaults, nulls), so all records of an object share one shape. */
  blank(def: ObjectDef): Rec {
    const rec: Rec = {};
    for (const field of def.fields) rec[field.name] = field.defaultValue ?? (field.type === 'boolean' ? false : null);
    return rec;
  }

  create(object: string, input: Record<string, unknown>, source: ValueSource = 'json', extras: Rec = {}): WriteOutcome {
    const def = this.objectDef(object);
    const { changes, errors } = this.prepare(def, input, 'create', source, ['Id']);
    const rec: Rec = { ...this.blank(def), OwnerId: this.integrationUserId, ...changes, ...extras };
    errors.push(...this.checkRecord(def, rec));
    if (errors.length > 0) return { ok: false, errors };
    rec.Id = this.ids.next(def.keyPrefix);
    this.stamp(rec, 'user', true);
    this.put(def, this.withComputed(def, rec));
    return { ok: true, id: rec.Id, created: true };
  }

  /** Looks a record up for a write: missing, deleted and converted leads are per-row errors. */
  private writable(def: ObjectDef, id: unknown): { rec: Rec } | { error: RowError } {
    const id18 = typeof id === 'string' ? normaliseId(id) : undefined;
    if (!id18 || !id18.startsWith(def.keyPrefix)) return { error: rowError('MALFORMED_ID', `${def.name} ID: id value of incorrect type: ${String(id)}`, ['Id']) };
    const rec = this.table(def.name).get(id18);
    if (!rec) return { error: rowError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []) };
    if (rec.IsDeleted) return { error: rowError('ENTITY_IS_DELETED', 'entity is deleted', []) };
    if (def.name === 'Lead' && rec.IsConverted) return { error: rowError('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', []) };
    return { rec };
  }

  update(object: string, id: unknown, input: Record<string, unknown>, source: ValueSource = 'json', actor: Actor = 'user'): WriteOutcome {
    const def = this.objectDef(object);
    const found = this.writable(def, id);
    if ('error' in found) return { ok: false, errors: [found.error] };
    const { changes, errors } = this.prepare(def, input, 'update', source, ['Id']);
    const rec = { ...found.rec, ...changes };
    errors.push(...this.checkRecord(def, rec));
    if (errors.length > 0) return { ok: false, errors };
    this.stamp(rec, actor, false);
    this.put(def, this.withComputed(def, rec));
    return { ok: true, id: rec.Id as string, created: false };
  }

  /** Test-only edit that may touch read-only fields (e.g. IsEmailBounced set by the system). */
  systemEdit(id: string, fields: Record<string, unknown>, actor: Actor): Rec {
    const found = this.get(id);
    if (!found) throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const rec = { ...found.rec };
    for (const [key, raw] of Object.entries(fields)) {
      const field = findField(found.def, key);
      if (!field) throw new ApiError(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${found.def.name}`);
      const coerced = coerceValue(field, raw, 'json');
      if ('error' in coerced) throw new ApiError(400, coerced.error.statusCode, coerced.error.message);
      rec[field.name] = coerced.value;
    }
    this.stamp(rec, actor, false);
    this.put(found.def, this.withComputed(found.def, rec));
    return rec;
  }

  upsert(object: string, extField: string, input: Record<string, unknown>, source: ValueSource = 'json'): WriteOutcome {
    const def = this.objectDef(object);
    const field = findField(def, extField);
    if (!field || !(field.externalId || field.type === 'id')) {
      return { ok: false, errors: [rowError('INVALID_FIELD', `Field ${extField} is not an external id field`, [extField])] };
    }
    const key = Object.keys(input).find((k) => k.toLowerCase() === field.name.toLowerCase());
    const value = key ? input[key] : undefined;
    if (typeof value !== 'string' || value === '') {
      return { ok: false, errors: [rowError('MISSING_ARGUMENT', `${field.name} not specified`, [field.name])] };
    }
    const existing = field.type === 'id' ? normaliseId(value) : this.findByExternalId(def, field, value);
    if (existing && this.table(def.name).has(existing)) {
      return this.update(object, existing, input, source);
    }
    if (field.type === 'id') return { ok: false, errors: [rowError('NOT_FOUND', 'Provided external ID field does not exist or is not accessible', [field.name])] };
    return this.create(object, input, source);
  }

  /** Soft delete into the recycle bin; deleting an Account also deletes its Contacts (as Salesforce does). */
  delete(id: unknown, objectHint?: string): WriteOutcome {
    const id18 = typeof id === 'string' ? normaliseId(id) : undefined;
    const def = id18 ? objectOfId(id18) : undefined;
    if (!id18 || !def || (objectHint && def.name !== objectHint) || !(REPLICATED_OBJECTS as readonly string[]).includes(def.name)) {
      return { ok: false, errors: [rowError('MALFORMED_ID', `bad id ${String(id)}`, [])] };
    }
    const rec = this.table(def.name).get(id18);
    if (!rec) return { ok: false, errors: [rowError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [])] };
    if (rec.IsDeleted) return { ok: false, errors: [rowError('ENTITY_IS_DELETED', 'entity is deleted', [])] };
    this.softDelete(def, rec, null);
    if (def.name === 'Account') {
      for (const contact of this.table('Contact').values()) {
        if (contact.AccountId === id18 && !contact.IsDeleted) this.softDelete(OBJECTS.Contact!, contact, null);
      }
    }
    return { ok: true, id: id18, created: false };
  }

  private softDelete(def: ObjectDef, rec: Rec, masterRecordId: string | null): void {
    const next: Rec = { ...rec, IsDeleted: true, MasterRecordId: masterRecordId };
    this.stamp(next, 'user', false);
    this.put(def, next);
    this.logDelete(def, rec.Id as string, next.SystemModstamp as number);
  }

  /** Restores records from the recycle bin (merge losers too: their MasterRecordId stays, as in Salesforce). */
  undelete(ids: string[]): WriteOutcome[] {
    return ids.map((id) => {
      const found = this.get(id);
      if (!found) return { ok: false, errors: [rowError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [])] };
      if (!found.rec.IsDeleted) return { ok: false, errors: [rowError('UNDELETE_FAILED', 'Entity is not in the recycle bin', [])] };
      const next: Rec = { ...found.rec, IsDeleted: false };
      const dup = this.checkRecord(found.def, next).filter((e) => e.statusCode === 'DUPLICATE_VALUE');
      if (dup.length > 0) return { ok: false, errors: dup };
      this.stamp(next, 'user', false);
      this.put(found.def, next);
      this.logDelete(found.def, next.Id as string, undefined);
      return { ok: true, id: next.Id as string, created: false };
    });
  }

  /** Hard delete: gone from queryAll and from the deleted feed, which becomes incomplete up to that point. */
  purge(ids: string[]): number {
    let purged = 0;
    for (const id of ids) {
      const found = this.get(id);
      if (!found) continue;
      const at = this.deleteLog.get(found.def.name)!.get(found.rec.Id as string) ?? this.now();
      this.markPurged(found.def.name, at);
      this.remove(found.def, found.rec.Id as string);
      this.logDelete(found.def, found.rec.Id as string, undefined);
      purged++;
    }
    return purged;
  }

  private markPurged(object: string, deletedAt: number): void {
    this.purgedBefore.set(object, Math.max(this.purgedBefore.get(object) ?? 0, floorMinute(deletedAt) + MINUTE));
  }

  /** Empties the recycle bin of entries older than the 15-day retention (Salesforce does this in the background). */
  expireRecycleBin(): void {
    const cutoff = this.clock.now() - DELETED_RETENTION_MS;
    for (const [object, log] of this.deleteLog) {
      const expired = [...log].filter(([, at]) => at < cutoff).map(([id]) => id);
      if (expired.length > 0) this.purge(expired);
      void object;
    }
  }

  /** Where the deleted feed is complete from: the later of the last purge and the retention window. */
  earliestDeletedAvailable(object: string): number {
    return Math.max(this.purgedBefore.get(object) ?? 0, floorMinute(this.clock.now() - DELETED_RETENTION_MS));
  }

  deletedEntries(object: string): Array<[string, number]> {
    return [...(this.deleteLog.get(object) ?? new Map<string, number>())];
  }

  /** Merge (≤ 3 records): losers deleted with MasterRecordId → winner, children re-parented, winner updated. */
  merge(object: string, winnerId: string, loserIds: string[]): { winnerId: string; mergedIds: string[] } {
    const def = this.objectDef(object);
    if (!['Account', 'Contact', 'Lead'].includes(def.name)) throw new ApiError(400, 'INVALID_TYPE', `merge is not supported for ${def.name}`);
    if (loserIds.length < 1 || loserIds.length > 2) throw new ApiError(400, 'INVALID_OPERATION', 'A merge takes a master record and one or two records to merge');
    const winner = this.writable(def, winnerId);
    if ('error' in winner) throw new ApiError(400, winner.error.statusCode, winner.error.message);
    const losers = loserIds.map((id) => {
      const loser = this.writable(def, id);
      if ('error' in loser) throw new ApiError(400, loser.error.statusCode, loser.error.message);
      if (loser.rec.Id === winner.rec.Id) throw new ApiError(400, 'INVALID_OPERATION', 'cannot merge a record with itself');
      return loser.rec;
    });
    return this.transaction(() => {
      for (const loser of losers) {
        this.softDelete(def, loser, winner.rec.Id as string);
        if (def.name === 'Account') {
          for (const contact of this.table('Contact').values()) {
            if (contact.AccountId === loser.Id) {
              const moved: Rec = { ...contact, AccountId: winner.rec.Id ?? null };
              this.stamp(moved, 'system', false);
              this.put(OBJECTS.Contact!, moved);
            }
          }
        }
      }
      const next = { ...winner.rec };
      this.stamp(next, 'user', false);
      this.put(def, next);
      return { commit: true, value: { winnerId: next.Id as string, mergedIds: losers.map((l) => l.Id as string) } };
    });
  }

  /** Lead conversion: the lead stays (IsConverted, Converted*Id) and an Account and Contact are created or updated. */
  convertLead(leadId: string, opts: { accountId?: string; contactId?: string } = {}): { leadId: string; accountId: string; contactId: string } {
    const leadDef = OBJECTS.Lead!;
    const found = this.writable(leadDef, leadId);
    if ('error' in found) throw new ApiError(400, found.error.statusCode, found.error.message);
    const lead = found.rec;
    return this.transaction(() => {
      let accountId = opts.accountId;
      if (!accountId) {
        const created = this.create('Account', { Name: lead.Company });
        if (!created.ok) throw new ApiError(400, created.errors[0]!.statusCode, created.errors[0]!.message);
        accountId = created.id;
      }
      let contactId = opts.contactId;
      const contactFields = { FirstName: lead.FirstName, LastName: lead.LastName, Email: lead.Email, HasOptedOutOfEmail: lead.HasOptedOutOfEmail };
      const outcome = contactId
        ? this.update('Contact', contactId, { AccountId: accountId })
        : this.create('Contact', { ...contactFields, AccountId: accountId });
      if (!outcome.ok) throw new ApiError(400, outcome.errors[0]!.statusCode, outcome.errors[0]!.message);
      contactId = outcome.id;
      const converted: Rec = {
        ...lead, IsConverted: true, ConvertedDate: formatDate(this.clock.now()), ConvertedAccountId: normaliseId(accountId)!,
        ConvertedContactId: contactId, Status: 'Closed - Converted',
      };
      this.stamp(converted, 'user', false);
      this.put(leadDef, converted);
      return { commit: true, value: { leadId: converted.Id as string, accountId: normaliseId(accountId)!, contactId } };
    });
  }

  insertUser(firstName: string, lastName: string, email: string): string {
    const def = OBJECTS.User!;
    const now = this.now();
    const id = this.ids.next(def.keyPrefix);
    this.put(def, { ...this.blank(def), Id: id, FirstName: firstName, LastName: lastName, Name: `${firstName} ${lastName}`, Email: email, CreatedDate: now, LastModifiedDate: now, SystemModstamp: now });
    return id;
  }

  /**
   * Seeds records without the REST validation of read-only fields (timestamps, IsDeleted may be given).
   * Used by the control plane; returns the new ids.
   */
  seed(object: string, inputs: Array<Record<string, unknown>>, opts: { validate?: boolean } = {}): string[] {
    const def = this.objectDef(object);
    return this.transaction(() => {
      const ids = inputs.map((input) => {
        const rec: Rec = { ...this.blank(def), OwnerId: def.fields.some((f) => f.name === 'OwnerId') ? this.integrationUserId : null };
        const now = this.now();
        if (def.fields.some((f) => f.name === 'CreatedById')) Object.assign(rec, { CreatedById: this.integrationUserId, LastModifiedById: this.integrationUserId });
        Object.assign(rec, { CreatedDate: now, LastModifiedDate: now, SystemModstamp: now });
        for (const [key, raw] of Object.entries(input)) {
          if (key === 'attributes' || key.toLowerCase() === 'id') continue;
          const field = findField(def, key);
          if (!field) throw new ApiError(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${def.name}`);
          const coerced = coerceValue(field, raw, 'json');
          if ('error' in coerced) throw new ApiError(400, coerced.error.statusCode, coerced.error.message);
          rec[field.name] = coerced.value;
        }
        if (opts.validate !== false) {
          const errors = this.checkRecord(def, rec);
          if (errors.length > 0) throw new ApiError(400, errors[0]!.statusCode, errors[0]!.message, errors[0]!.fields);
        }
        rec.Id = this.ids.next(def.keyPrefix);
        this.put(def, this.withComputed(def, rec));
        if (rec.IsDeleted) this.logDelete(def, rec.Id, rec.SystemModstamp as number);
        return rec.Id;
      });
      return { commit: true, value: ids };
    });
  }

  /**
   * Fast synthetic records for benchmarks: one shared shape, no validation, sequential values
   * (`contact-<n>@synthetic.example`). Timestamps are `now`, or spread one second apart from `startAt`.
   */
  generate(object: string, count: number, opts: { accountId?: string; startAt?: number; spacingMs?: number; fields?: Record<string, unknown> } = {}): { count: number; firstId?: string; lastId?: string } {
    const def = this.objectDef(object);
    const table = this.table(def.name);
    const template = this.blank(def);
    if (def.fields.some((f) => f.name === 'OwnerId')) Object.assign(template, { OwnerId: this.integrationUserId, CreatedById: this.integrationUserId, LastModifiedById: this.integrationUserId });
    for (const [key, raw] of Object.entries(opts.fields ?? {})) {
      const field = findField(def, key);
      if (!field) throw new ApiError(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${def.name}`);
      const coerced = coerceValue(field, raw, 'json');
      if ('error' in coerced) throw new ApiError(400, coerced.error.statusCode, coerced.error.message);
      template[field.name] = coerced.value;
    }
    if (opts.accountId && def.name === 'Contact') template.AccountId = normaliseId(opts.accountId) ?? null;
    const base = opts.startAt ?? this.now();
    const spacing = opts.spacingMs ?? 0;
    const offset = table.size;
    let firstId: string | undefined;
    let lastId: string | undefined;
    for (let i = 0; i < count; i++) {
      const n = offset + i + 1;
      const at = floorSecond(base + i * spacing);
      const rec: Rec = { ...template, CreatedDate: at, LastModifiedDate: at, SystemModstamp: at };
      rec.Id = this.ids.next(def.keyPrefix);
      if (def.name === 'Contact' || def.name === 'Lead') Object.assign(rec, { FirstName: 'Synthetic', LastName: `Person ${n}`, Name: `Synthetic Person ${n}`, Email: `${def.name.toLowerCase()}-${n}@synthetic.example` });
      if (def.name === 'Lead') rec.Company = `Synthetic Company ${n}`;
      if (def.name === 'Account') Object.assign(rec, { Name: `Synthetic Account ${n}`, Website: `https://account-${n}.synthetic.example`, Type: rec.Type ?? 'Customer' });
      table.set(rec.Id, rec);
      firstId ??= rec.Id;
      lastId = rec.Id;
    }
    return { count, firstId, lastId };
  }

  /** Field definitions of an object (for describe). */
  static fieldsOf(def: ObjectDef): FieldDef[] {
    return def.fields;
  }
}
