import { z } from 'zod';
import { badRequest } from '../errors';

export const idParams = z.strictObject({ id: z.uuid({ message: 'must be a UUID' }) });

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
};

/** Opaque keyset cursor: the sort key of the last row returned. */
export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.length === arity && parts.every((p) => typeof p === 'string' || typeof p === 'number')) return parts.map(String);
  } catch {
    // fall through to the error below
  }
  throw badRequest('Invalid cursor: pass back the nextCursor of a previous page.', [{ path: 'querystring.cursor', problem: 'not a cursor this API issued' }]);
}

export const pageSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const isoDate = z.date().transform((d) => d.toISOString()).or(z.string());
