import { z } from 'zod';

export const idParams = z.strictObject({ id: z.uuid({ message: 'must be a UUID' }) });

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
};

export const pageSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const isoDate = z.date().transform((d) => d.toISOString()).or(z.string());
