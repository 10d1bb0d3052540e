import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { InvalidCursorError } from '../db/pagination';
import { ServiceError, type FieldProblem, type ServiceErrorKind } from '../services/errors';
import { TemporalUnavailableError } from '../temporal/deadline';

/** One error shape for every error: { error: { code, message, details?, requestId? } }. */
export type ErrorDetail = FieldProblem;

/** The HTTP status of each kind of service refusal. */
const SERVICE_STATUS: Record<ServiceErrorKind, number> = { invalid: 400, not_found: 404, conflict: 409, forbidden: 403, unavailable: 503 };

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}


interface ValidationEntry {
  instancePath: string;
  message?: string;
  keyword: string;
  params?: { keys?: string[] };
}

function joinPath(scope: string, instancePath: string, key?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (key) parts.push(key);
  return parts.length === 0 ? scope : `${scope}.${parts.join('.')}`;
}

function validationDetails(scope: string, entries: ValidationEntry[]): ErrorDetail[] {
  return entries.flatMap((e) => {
    // Unknown fields are named one by one, so the client sees exactly what to remove.
    if (e.keyword === 'unrecognized_keys' && e.params?.keys?.length) {
      return e.params.keys.map((key) => ({ path: joinPath(scope, e.instancePath, key), problem: 'unknown field', code: e.keyword }));
    }
    return [{ path: joinPath(scope, e.instancePath), problem: e.message ?? 'invalid', code: e.keyword }];
  });
}

const statusCodes: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

export function sendError(reply: FastifyReply, status: number, code: string, message: string, details: ErrorDetail[] = []): FastifyReply {
  return reply.code(status).type('application/json').send({ error: { code, message, details, requestId: reply.request.id } });
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ApiError) return sendError(reply, error.statusCode, error.code, error.message, error.details);
  if (error instanceof ServiceError) return sendError(reply, SERVICE_STATUS[error.kind], error.code, error.message, error.details);
  if (error instanceof TemporalUnavailableError) return sendError(reply, 503, error.code, error.message);
  if (error instanceof InvalidCursorError) return sendError(reply, 400, 'VALIDATION_FAILED', error.message, [{ path: 'querystring.cursor', problem: 'not a cursor this API issued' }]);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const scope = (error as FastifyError & { validationContext?: string }).validationContext ?? 'body';
    const details = validationDetails(scope, error.validation as unknown as ValidationEntry[]);
    return sendError(reply, 400, 'VALIDATION_FAILED', `Invalid request: ${details.map((d) => `${d.path} (${d.problem})`).join('; ')}`, details);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return sendFrameworkError(reply, error, status);
  request.log.error({ err: error }, 'unhandled error');
  return sendError(reply, 500, 'INTERNAL', `Internal error. Quote request id ${request.id} when reporting it.`);
}

/** Fastify's own client errors (bad JSON, body too large, wrong content type, bad URL): safe to describe. */
function sendFrameworkError(reply: FastifyReply, error: FastifyError, status: number): FastifyReply {
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return sendError(reply, 400, 'INVALID_JSON', error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'The body is empty but content-type is application/json; send a JSON body or no content-type.' : 'The body is not valid JSON.', [{ path: 'body', problem: 'not valid JSON' }]);
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
    return sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported content-type: send the body as application/json.', [{ path: 'headers.content-type', problem: 'must be application/json' }]);
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    return sendError(reply, 400, 'BAD_URL', 'The request path is not a valid URL (a malformed %-escape?).', [{ path: 'url', problem: 'not a valid URL' }]);
  }
  return sendError(reply, status, statusCodes[status] ?? 'BAD_REQUEST', error.message);
}

/** Errors Fastify raises before routing (malformed URLs): the same error shape as everything else. */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void sendFrameworkError(reply, error, error.statusCode ?? 400);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, 404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`);
}

/** Shared OpenAPI schema for error responses. */
import { errorResponseSchema } from './schemas/error-schema';
export { errorResponseSchema };

/** The error responses every authenticated route documents; add 409 etc. per route. */
export const standardErrors = { 400: errorResponseSchema, 401: errorResponseSchema, 403: errorResponseSchema, 404: errorResponseSchema } as const;
