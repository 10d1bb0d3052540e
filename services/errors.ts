/**
 * What a service says when it refuses: a kind (mapped to an HTTP status by the API's error handler),
 * a stable code, a message that says why and what to do, and the fields at fault. Services know
 * nothing of HTTP; the API knows nothing of the rules.
 */
export interface FieldProblem {
  /** Where the problem is, as the client sent it: `body.email`, `querystring.cursor`, `params.id`. */
  path: string;
  problem: string;
  code?: string;
}

export type ServiceErrorKind = 'invalid' | 'not_found' | 'conflict' | 'forbidden' | 'unavailable';

export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly kind: ServiceErrorKind,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) => new ServiceError('not_found', 'NOT_FOUND', `${what} ${id} does not exist.`);
export const conflict = (code: string, message: string, details: FieldProblem[] = []) => new ServiceError('conflict', code, message, details);
export const forbidden = (code: string, message: string) => new ServiceError('forbidden', code, message);
export const unavailable = (code: string, message: string) => new ServiceError('unavailable', code, message);

/** A 400-kind refusal naming each bad field, in the same shape as schema validation errors. */
export function invalidFields(details: FieldProblem[], message = `Invalid request: ${details.map((d) => `${d.path} (${d.problem})`).join('; ')}`): ServiceError {
  return new ServiceError('invalid', 'VALIDATION_FAILED', message, details);
}
