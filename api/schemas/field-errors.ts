import { badRequest, type ErrorDetail } from '../errors';

/** A 400 that names each bad field, in the same shape as schema validation errors. */
export function fieldErrors(details: ErrorDetail[]) {
  return badRequest(`Invalid request: ${details.map((d) => `${d.path} (${d.problem})`).join('; ')}`, details);
}
