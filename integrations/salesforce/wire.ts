/**
 * The Salesforce wire contract this client relies on (salesforce-wire.md): the raw REST paths it calls
 * itself (everything else goes through jsforce's own methods) and zod schemas of the responses it reads.
 */
import { z } from 'zod';

export const paths = {
  ingestJobs: '/jobs/ingest',
  ingestJob: (id: string) => `/jobs/ingest/${id}`,
  ingestBatches: (id: string) => `/jobs/ingest/${id}/batches`,
  ingestResults: (id: string, kind: 'successfulResults' | 'failedResults' | 'unprocessedrecords') => `/jobs/ingest/${id}/${kind}`,
  queryJobs: '/jobs/query',
  queryJob: (id: string) => `/jobs/query/${id}`,
  queryResults: (id: string) => `/jobs/query/${id}/results`,
} as const;

/** `2026-01-01T10:15:42.000+0000` (REST) or `…Z` (Bulk CSV) → Date. */
export function parseSalesforceDateTime(text: string): Date {
  const iso = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new RangeError('not a Salesforce datetime');
  return d;
}

const sfDateTime = z.string().transform((s, ctx) => {
  try {
    return parseSalesforceDateTime(s);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not a Salesforce datetime' });
    return z.NEVER;
  }
});

export const UpdatedResponse = z.object({ ids: z.array(z.string()), latestDateCovered: sfDateTime });

export const DeletedResponse = z.object({
  deletedRecords: z.array(z.object({ id: z.string(), deletedDate: sfDateTime })),
  earliestDateAvailable: sfDateTime,
  latestDateCovered: sfDateTime,
});

export const QueryResponse = z.object({
  totalSize: z.number(),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});

export const RowErrorWire = z.object({ statusCode: z.string(), message: z.string(), fields: z.array(z.string()).optional() });

export const SaveResultWire = z.object({
  id: z.string().nullish(),
  success: z.boolean(),
  created: z.boolean().optional(),
  errors: z.array(RowErrorWire),
});
export const SaveResultsWire = z.array(SaveResultWire);

export const JOB_STATES = ['Open', 'UploadComplete', 'InProgress', 'JobComplete', 'Failed', 'Aborted'] as const;
export const JobInfoWire = z.object({
  id: z.string(),
  state: z.enum(JOB_STATES),
  object: z.string().optional(),
  operation: z.string().optional(),
  numberRecordsProcessed: z.number().optional(),
  numberRecordsFailed: z.number().optional(),
  errorMessage: z.string().optional(),
});
export type JobInfoWire = z.infer<typeof JobInfoWire>;

export const LimitsWire = z.record(z.string(), z.object({ Max: z.number(), Remaining: z.number() }).loose());

export const DescribeWire = z.object({
  name: z.string(),
  label: z.string().optional(),
  keyPrefix: z.string().nullish(),
  replicateable: z.boolean().optional(),
  fields: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      label: z.string().optional(),
      length: z.number().optional(),
      nillable: z.boolean().optional(),
      createable: z.boolean().optional(),
      updateable: z.boolean().optional(),
      unique: z.boolean().optional(),
      externalId: z.boolean().optional(),
      referenceTo: z.array(z.string()).nullish(),
      relationshipName: z.string().nullish(),
    }).loose(),
  ),
}).loose();
