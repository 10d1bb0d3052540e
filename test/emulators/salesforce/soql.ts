/**
 * The SOQL subset a sync engine needs (salesforce-wire.md §3.3), parsed with @jetstreamapp/soql-parser-js and
 * evaluated over the org: SELECT fields (incl. parent fields like Account.Name, FIELDS(ALL|STANDARD|CUSTOM),
 * COUNT()), WHERE with = != < <= > >= IN NOT IN LIKE, AND/OR/NOT and parentheses, null, booleans, strings,
 * datetime and date literals, TODAY / YESTERDAY / LAST_N_DAYS:n; ORDER BY … ASC|DESC NULLS FIRST|LAST; LIMIT; OFFSET.
 */
import { parseQuery, type Condition, type FieldType as ParsedField, type WhereClause } from '@jetstreamapp/soql-parser-js';
import { normaliseId } from './ids';
import type { Org, Rec, Value } from './org';
import { findField, findObject, type FieldDef, type ObjectDef } from './schema';
import { ApiError, DAY, floorSecond, formatCsvDateTime, formatDateTime, parseDateTime } from './wire';

/** A selected (or filtered / sorted) field: a chain of reference fields ending in a value field. */
export interface FieldPath {
  /** Canonical dotted name, e.g. `Account.Name`. */
  name: string;
  hops: FieldDef[];
  field: FieldDef;
}

type Predicate = (rec: Rec) => boolean;

export interface CompiledQuery {
  object: ObjectDef;
  count: boolean;
  select: FieldPath[];
  where?: Predicate;
  orderBy: Array<{ path: FieldPath; desc: boolean; nullsFirst: boolean }>;
  limit?: number;
  offset?: number;
  /** The WHERE clause names IsDeleted (queryAll callers often filter on it). */
  mentionsIsDeleted: boolean;
}

const malformed = (message: string): ApiError => new ApiError(400, 'MALFORMED_QUERY', message);
const invalidField = (name: string, object: string): ApiError =>
  new ApiError(400, 'INVALID_FIELD', `No such column '${name}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`);

export function resolvePath(object: ObjectDef, dotted: string): FieldPath {
  const parts = dotted.split('.');
  // A leading object name or alias-like prefix equal to the object is allowed (SELECT Contact.Email FROM Contact).
  if (parts.length > 1 && parts[0]!.toLowerCase() === object.name.toLowerCase()) parts.shift();
  const hops: FieldDef[] = [];
  let current = object;
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1) {
      const field = findField(current, part);
      if (!field) throw invalidField(dotted, object.name);
      return { name: [...hops.map((h) => h.relationshipName!), field.name].join('.'), hops, field };
    }
    const hop = current.relationships.get(part.toLowerCase());
    const target = hop?.referenceTo ? findObject(hop.referenceTo) : undefined;
    if (!hop || !target) throw invalidField(dotted, object.name);
    hops.push(hop);
    current = target;
  }
  throw malformed(`unexpected field ${dotted}`);
}

export function readPath(org: Org, rec: Rec, path: FieldPath): Value {
  let current: Rec | undefined = rec;
  for (const hop of path.hops) {
    const id: Value = current?.[hop.name] ?? null;
    current = typeof id === 'string' ? org.get(id)?.rec : undefined;
    if (!current) return null;
  }
  return current[path.field.name] ?? null;
}

// ---- WHERE: the parser gives a right-leaning chain with paren counts; rebuild precedence (NOT > AND > OR) ----

type Token = { kind: '(' | ')' | 'NOT' | 'AND' | 'OR' } | { kind: 'cond'; cond: Condition };

function tokens(clause: WhereClause | undefined, out: Token[] = []): Token[] {
  if (!clause) return out;
  const where = clause as { left: unknown; operator?: string; right?: WhereClause };
  const left = where.left as (Condition & { openParen?: number; closeParen?: number }) | { openParen?: number } | null;
  if (where.operator === 'NOT') {
    for (let i = 0; i < (left?.openParen ?? 0); i++) out.push({ kind: '(' });
    out.push({ kind: 'NOT' });
    return tokens(where.right, out);
  }
  if (left && 'operator' in left) {
    for (let i = 0; i < (left.openParen ?? 0); i++) out.push({ kind: '(' });
    out.push({ kind: 'cond', cond: left });
    for (let i = 0; i < (left.closeParen ?? 0); i++) out.push({ kind: ')' });
  }
  if (where.operator === 'AND' || where.operator === 'OR') out.push({ kind: where.operator });
  return tokens(where.right, out);
}

function buildPredicate(org: Org, object: ObjectDef, toks: Token[], now: number): Predicate {
  let pos = 0;
  const peek = (): Token | undefined => toks[pos];
  const expect = (kind: Token['kind']): void => {
    if (peek()?.kind !== kind) throw malformed(`unexpected token in WHERE (expected ${kind})`);
    pos++;
  };
  const orExpr = (): Predicate => {
    const parts = [andExpr()];
    while (peek()?.kind === 'OR') {
      pos++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0]! : (r) => parts.some((p) => p(r));
  };
  const andExpr = (): Predicate => {
    const parts = [unary()];
    while (peek()?.kind === 'AND') {
      pos++;
      parts.push(unary());
    }
    return parts.length === 1 ? parts[0]! : (r) => parts.every((p) => p(r));
  };
  const unary = (): Predicate => {
    const tok = peek();
    if (tok?.kind === 'NOT') {
      pos++;
      const inner = unary();
      return (r) => !inner(r);
    }
    if (tok?.kind === '(') {
      pos++;
      const inner = orExpr();
      expect(')');
      return inner;
    }
    if (tok?.kind === 'cond') {
      pos++;
      return condition(org, object, tok.cond, now);
    }
    throw malformed('unexpected end of WHERE clause');
  };
  const predicate = orExpr();
  if (pos !== toks.length) throw malformed('unbalanced parentheses in WHERE clause');
  return predicate;
}

function unquote(text: string): string {
  const inner = text.startsWith("'") && text.endsWith("'") ? text.slice(1, -1) : text;
  return inner.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' })[c] ?? c);
}

/** A literal converted to the field's stored form; ranges for date literals on datetime fields. */
type Operand = { value: Value } | { range: [number, number] };

function literal(field: FieldDef, raw: string, literalType: string, dateN: number | undefined, now: number): Operand {
  const upper = raw.toUpperCase();
  if (literalType === 'NULL' || upper === 'NULL') return { value: null };
  const startOfDay = Math.floor(now / DAY) * DAY;
  if (literalType === 'DATE_LITERAL' || literalType === 'DATE_N_LITERAL') {
    const ranges: Record<string, [number, number]> = {
      TODAY: [startOfDay, startOfDay + DAY],
      YESTERDAY: [startOfDay - DAY, startOfDay],
      TOMORROW: [startOfDay + DAY, startOfDay + 2 * DAY],
      LAST_N_DAYS: [startOfDay - (dateN ?? 0) * DAY, startOfDay + DAY],
      N_DAYS_AGO: [startOfDay - (dateN ?? 0) * DAY, startOfDay - (dateN ?? 0) * DAY + DAY],
    };
    const range = ranges[upper.split(':')[0]!];
    if (!range) throw malformed(`unsupported date literal ${raw}`);
    if (field.type === 'date') return { range: [range[0], range[1]] };
    return { range };
  }
  switch (field.type) {
    case 'boolean':
      if (upper !== 'TRUE' && upper !== 'FALSE') throw new ApiError(400, 'INVALID_QUERY_FILTER_OPERATOR', `invalid value ${raw} for boolean field ${field.name}`);
      return { value: upper === 'TRUE' };
    case 'datetime': {
      if (literalType !== 'DATETIME') throw new ApiError(400, 'INVALID_FIELD', `value of filter criterion for field '${field.name}' must be of type dateTime and should not be enclosed in quotes`);
      const ms = parseDateTime(raw);
      if (ms === undefined) throw malformed(`invalid datetime ${raw}`);
      return { value: ms };
    }
    case 'date': {
      if (literalType !== 'DATE') throw new ApiError(400, 'INVALID_FIELD', `value of filter criterion for field '${field.name}' must be of type date and should not be enclosed in quotes`);
      return { value: raw };
    }
    case 'id':
    case 'reference': {
      const text = unquote(raw);
      return { value: normaliseId(text) ?? text };
    }
    default:
      if (literalType !== 'STRING') throw new ApiError(400, 'INVALID_FIELD', `value of filter criterion for field '${field.name}' must be of type string and should be enclosed in quotes`);
      return { value: unquote(raw) };
  }
}

function compare(a: Value, b: Value, field: FieldDef): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const caseSensitive = field.type === 'id' || field.type === 'reference';
  const x = caseSensitive ? String(a) : String(a).toLowerCase();
  const y = caseSensitive ? String(b) : String(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function likeRegex(pattern: string): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

function condition(org: Org, object: ObjectDef, cond: Condition, now: number): Predicate {
  if (!('field' in cond) || typeof cond.field !== 'string') throw malformed('functions in WHERE are not supported by the emulator');
  const path = resolvePath(object, cond.field);
  const op = cond.operator.toUpperCase();
  const literalTypes = cond.literalType;
  const dateN = (cond as { dateLiteralVariable?: number }).dateLiteralVariable;
  const read = (r: Rec): Value => {
    const v = readPath(org, r, path);
    return path.field.type === 'date' && typeof v === 'string' ? v : v;
  };
  if (op === 'IN' || op === 'NOT IN' || op === 'INCLUDES' || op === 'EXCLUDES') {
    const raws = Array.isArray(cond.value) ? cond.value : [cond.value ?? ''];
    const values = raws.map((raw, i) => {
      const type = Array.isArray(literalTypes) ? literalTypes[i] : literalTypes;
      const operand = literal(path.field, raw, type ?? 'STRING', undefined, now);
      if ('range' in operand) throw malformed('date literals are not supported in IN lists');
      return operand.value;
    });
    const hit = (r: Rec): boolean => {
      const v = read(r);
      return values.some((x) => (x === null ? v === null : v !== null && compare(v, x, path.field) === 0));
    };
    return op === 'NOT IN' || op === 'EXCLUDES' ? (r) => !hit(r) : hit;
  }
  const operand = literal(path.field, String(cond.value ?? ''), (Array.isArray(literalTypes) ? literalTypes[0] : literalTypes) ?? 'STRING', dateN, now);
  if ('range' in operand) {
    const [from, to] = operand.range;
    const asMs = (v: Value): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' ? parseDateTime(v) : undefined);
    const tests: Record<string, (ms: number) => boolean> = {
      '=': (ms) => ms >= from && ms < to,
      '!=': (ms) => ms < from || ms >= to,
      '<': (ms) => ms < from,
      '<=': (ms) => ms < to,
      '>': (ms) => ms >= to,
      '>=': (ms) => ms >= from,
    };
    const test = tests[op];
    if (!test) throw malformed(`operator ${op} is not supported with date literals`);
    return (r) => {
      const ms = asMs(read(r));
      return ms !== undefined && test(ms);
    };
  }
  const x = operand.value;
  switch (op) {
    case '=':
      return (r) => {
        const v = read(r);
        return x === null ? v === null : v !== null && compare(v, x, path.field) === 0;
      };
    case '!=':
    case '<>':
      return (r) => {
        const v = read(r);
        return x === null ? v !== null : v === null || compare(v, x, path.field) !== 0;
      };
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (x === null) throw malformed(`operator ${op} needs a value`);
      const ok = { '<': (c: number) => c < 0, '<=': (c: number) => c <= 0, '>': (c: number) => c > 0, '>=': (c: number) => c >= 0 }[op];
      return (r) => {
        const v = read(r);
        return v !== null && ok(compare(v, x, path.field));
      };
    }
    case 'LIKE': {
      const re = likeRegex(String(x ?? ''));
      return (r) => {
        const v = read(r);
        return v !== null && re.test(String(v));
      };
    }
    default:
      throw malformed(`unsupported operator ${op}`);
  }
}

function expandFields(object: ObjectDef, fields: ParsedField[]): FieldPath[] {
  const out: FieldPath[] = [];
  for (const item of fields) {
    if (item.type === 'Field') out.push(resolvePath(object, item.field));
    else if (item.type === 'FieldRelationship') out.push(resolvePath(object, [...item.relationships, item.field].join('.')));
    else if (item.type === 'FieldFunctionExpression' && item.functionName.toUpperCase() === 'FIELDS') {
      const kind = String(item.parameters?.[0] ?? '').toUpperCase();
      const chosen = object.fields.filter((f) => (kind === 'CUSTOM' ? f.name.endsWith('__c') : kind === 'STANDARD' ? !f.name.endsWith('__c') : true));
      out.push(...chosen.map((field) => ({ name: field.name, hops: [], field })));
    } else throw malformed(`unsupported select item ${JSON.stringify((item as { rawValue?: string }).rawValue ?? item.type)}`);
  }
  const seen = new Set<string>();
  return out.filter((p) => (seen.has(p.name.toLowerCase()) ? false : (seen.add(p.name.toLowerCase()), true)));
}

export function compileSoql(org: Org, soql: string, now: number): CompiledQuery {
  let parsed;
  try {
    parsed = parseQuery(soql);
  } catch (err) {
    throw malformed(`${soql}\n${(err as Error).message.split('\n')[0] ?? 'unexpected token'}`);
  }
  const object = parsed.sObject ? findObject(parsed.sObject) : undefined;
  if (!object) throw new ApiError(400, 'INVALID_TYPE', `sObject type '${parsed.sObject ?? ''}' is not supported.`);
  if (parsed.groupBy || parsed.having) throw malformed('GROUP BY is not supported by the emulator');
  const fields = parsed.fields ?? [];
  const count = fields.length === 1 && fields[0]!.type === 'FieldFunctionExpression' && fields[0]!.functionName.toUpperCase() === 'COUNT' && (fields[0]!.parameters ?? []).length === 0;
  const toks = tokens(parsed.where);
  return {
    object,
    count,
    select: count ? [] : expandFields(object, fields),
    where: toks.length > 0 ? buildPredicate(org, object, toks, now) : undefined,
    orderBy: (Array.isArray(parsed.orderBy) ? parsed.orderBy : parsed.orderBy ? [parsed.orderBy] : []).map((o) => {
      if (!('field' in o) || !o.field) throw malformed('ORDER BY functions are not supported by the emulator');
      const desc = o.order === 'DESC';
      return { path: resolvePath(object, o.field), desc, nullsFirst: o.nulls ? o.nulls === 'FIRST' : !desc };
    }),
    limit: parsed.limit,
    offset: parsed.offset,
    mentionsIsDeleted: toks.some((t) => t.kind === 'cond' && 'field' in t.cond && String(t.cond.field).toLowerCase() === 'isdeleted'),
  };
}

/** Ids of matching records in result order (LIMIT/OFFSET applied). `includeDeleted` is queryAll. */
export function runQuery(org: Org, q: CompiledQuery, includeDeleted: boolean): string[] {
  const matches: Rec[] = [];
  for (const rec of org.table(q.object.name).values()) {
    if (rec.IsDeleted && !includeDeleted) continue;
    if (q.where && !q.where(rec)) continue;
    matches.push(rec);
  }
  if (q.orderBy.length > 0) {
    const keys = q.orderBy.map((o) => ({ ...o, values: new Map(matches.map((r) => [r, readPath(org, r, o.path)])) }));
    matches.sort((a, b) => {
      for (const key of keys) {
        const x = key.values.get(a) ?? null;
        const y = key.values.get(b) ?? null;
        if (x === null && y === null) continue;
        if (x === null) return key.nullsFirst ? -1 : 1;
        if (y === null) return key.nullsFirst ? 1 : -1;
        const c = compare(x, y, key.path.field);
        if (c !== 0) return key.desc ? -c : c;
      }
      return 0;
    });
  }
  const start = q.offset ?? 0;
  const end = q.limit === undefined ? undefined : start + q.limit;
  return matches.slice(start, end).map((r) => r.Id as string);
}

export function jsonValue(field: FieldDef, value: Value): Value {
  if (value === null || value === undefined) return null;
  if (field.type === 'datetime' && typeof value === 'number') return formatDateTime(value);
  return value;
}

/** A record as REST returns it: `attributes`, then the selected fields, parent fields nested. */
export function renderJson(org: Org, object: ObjectDef, rec: Rec, select: FieldPath[], version: string): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type: object.name, url: `/services/data/v${version}/sobjects/${object.name}/${String(rec.Id)}` } };
  for (const path of select) {
    if (path.hops.length === 0) {
      out[path.field.name] = jsonValue(path.field, rec[path.field.name] ?? null);
      continue;
    }
    let target = out;
    let source: Rec | undefined = rec;
    for (const hop of path.hops) {
      const key = hop.relationshipName!;
      const id: Value = source?.[hop.name] ?? null;
      source = typeof id === 'string' ? org.get(id)?.rec : undefined;
      if (!source) {
        if (!(key in target)) target[key] = null;
        target = {};
        break;
      }
      const existing = target[key];
      if (existing && typeof existing === 'object') target = existing as Record<string, unknown>;
      else {
        const type = hop.referenceTo!;
        const nested: Record<string, unknown> = { attributes: { type, url: `/services/data/v${version}/sobjects/${type}/${String(source.Id)}` } };
        target[key] = nested;
        target = nested;
      }
    }
    if (source) target[path.field.name] = jsonValue(path.field, source[path.field.name] ?? null);
  }
  return out;
}

/** A record as a Bulk 2.0 CSV row (column order = SELECT order; null = empty; datetimes `…Z`). */
export function renderCsvRow(org: Org, rec: Rec, select: FieldPath[]): string[] {
  return select.map((path) => {
    const v = readPath(org, rec, path);
    if (v === null || v === undefined) return '';
    if (path.field.type === 'datetime' && typeof v === 'number') return formatCsvDateTime(v);
    return String(v);
  });
}

export const nowForQueries = (ms: number): number => floorSecond(ms);
