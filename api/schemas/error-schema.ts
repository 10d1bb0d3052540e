import { z } from 'zod';

export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), problem: z.string(), code: z.string().optional() })),
      requestId: z.string().optional(),
    }),
  })
  .meta({ id: 'Error' });
