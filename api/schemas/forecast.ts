import { z } from 'zod';

const uuid = z.uuid({ message: 'must be a UUID' });
const calendarDate = z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' });

/** Period bounds are inclusive calendar dates (UTC); both absent: the current month. */
export const forecastQuery = z.strictObject({
  pipelineId: uuid,
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  ownerId: uuid.optional(),
  leftOutLimit: z.coerce.number().int().min(0).max(1000).default(100),
});

export const dealForecastQuery = z.strictObject({
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  /** The forecast's pipeline (default: the deal's own). */
  pipelineId: uuid.optional(),
});

const totals = z.object({ count: z.number(), amount: z.string(), weighted: z.string().optional() });

export const forecastSchema = z
  .object({
    pipelineId: z.string(),
    period: z.object({ from: z.string(), to: z.string() }),
    ownerId: z.string().nullable(),
    currencies: z.array(
      z.object({
        currency: z.string(),
        open: totals,
        closedWon: totals,
        byStage: z.array(totals.extend({ stageId: z.string(), stageName: z.string(), probability: z.number() })),
        byOwner: z.array(z.object({ ownerId: z.string(), open: totals, closedWon: totals })),
      }),
    ),
    leftOut: z.object({
      count: z.number(),
      byCode: z.record(z.string(), z.number()),
      deals: z.array(z.object({ dealId: z.string(), name: z.string(), stageId: z.string(), status: z.string(), closeDate: z.string(), currency: z.string(), amount: z.string(), codes: z.array(z.string()) })),
      truncated: z.boolean(),
    }),
  })
  .meta({ id: 'Forecast' });

export const dealForecastSchema = z
  .object({
    dealId: z.string(),
    pipelineId: z.string(),
    period: z.object({ from: z.string(), to: z.string() }),
    placement: z.enum(['open', 'closed_won', 'left_out']),
    codes: z.array(z.string()),
    closeDate: z.string(),
    amount: z.string(),
    currency: z.string(),
    weighted: z.string().nullable(),
    rules: z.array(z.object({ rule: z.string(), code: z.string(), pass: z.boolean(), detail: z.string() })),
  })
  .meta({ id: 'DealForecastExplanation' });
