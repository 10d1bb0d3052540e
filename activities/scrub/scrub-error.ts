/**
 * A copy of an error, fit to leave the activity: same class (so `instanceof`, the failure type and
 * `nonRetryable` stay), with message, stack and the whole cause chain scrubbed of personal data.
 * What Temporal does not send (other own properties, e.g. nodemailer's `response` and `rejected`)
 * is kept only when it is a scalar (strings scrubbed): loggers print those too.
 */
import { CompleteAsyncError } from '@temporalio/activity';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { types } from 'node:util';
import { scrubPersonalData } from '../../domain/privacy/scrub';

const MAX_DEPTH = 8;

type Scrub = (text: string) => string;

const isErrorLike = (value: unknown): value is Error => value instanceof Error || types.isNativeError(value);

/** Strings scrubbed, containers walked, binary and functions dropped: for ApplicationFailure details. */
function scrubValue(value: unknown, scrub: Scrub, depth: number): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (typeof value !== 'object' || depth > MAX_DEPTH || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined;
  if (isErrorLike(value)) return scrubErrorWith(value, scrub, depth + 1);
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, scrub, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrub(k), scrubValue(v, scrub, depth + 1)]));
}

function scrubErrorWith(error: unknown, scrub: Scrub, depth: number): unknown {
  if (typeof error === 'string') return scrub(error);
  // Control flow, not a failure: the worker must see this exact object.
  if (error instanceof CompleteAsyncError) return error;
  if (!isErrorLike(error)) {
    if (error === null || typeof error !== 'object') return error;
    const message = (error as { message?: unknown }).message;
    return new Error(scrub(typeof message === 'string' ? message : 'a non-Error value was thrown'));
  }
  if (depth > MAX_DEPTH) return new Error('(cause chain truncated)');

  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  const isTemporalFailure = error instanceof TemporalFailure;
  for (const key of Object.getOwnPropertyNames(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key);
    if (!descriptor || !('value' in descriptor)) continue; // accessors: nothing to copy safely
    const value: unknown = descriptor.value;
    let scrubbed: unknown;
    if (key === 'failure' && isTemporalFailure) continue; // the raw proto would bypass scrubbing
    else if (key === 'cause') scrubbed = value === undefined ? undefined : scrubErrorWith(value, scrub, depth + 1);
    else if (key === 'details' && error instanceof ApplicationFailure) scrubbed = scrubValue(value, scrub, depth + 1);
    else if (key === 'errors' && Array.isArray(value)) scrubbed = value.map((e) => scrubErrorWith(e, scrub, depth + 1));
    else if (typeof value === 'string') scrubbed = scrub(value);
    else if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') scrubbed = value;
    else if (isTemporalFailure && typeof value === 'object') scrubbed = scrubValue(value, scrub, depth + 1); // part of the failure's wire form
    else continue; // objects and functions of plain errors: Temporal drops them, loggers would print them
    Object.defineProperty(copy, key, { ...descriptor, value: scrubbed });
  }
  return copy;
}

/** The error (or thrown value) with personal data scrubbed out; `knownValues` are the subject's names, address, ... */
export function scrubError(error: unknown, knownValues: Iterable<string> = []): unknown {
  const known = [...knownValues];
  return scrubErrorWith(error, (text) => scrubPersonalData(text, known), 0);
}
