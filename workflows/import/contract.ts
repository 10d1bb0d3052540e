/**
 * The CSV import workflow's contract: `import-<importId>`. Input and result are ids and counts only —
 * the file's content stays in PostgreSQL (staged rows), never in workflow history.
 */
export interface ImportInput {
  importId: string;
}

export interface ImportResult {
  importId: string;
  status: 'completed' | 'cancelled';
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
}

/** What one call of the batch activity reports: `more` until every staged row is applied. */
export interface ImportBatchesResult {
  state: 'more' | 'done' | 'cancelled';
  appliedThrough: number;
  processed: number;
}

const ID_PREFIX = 'import-';

export const importContract = {
  type: 'importWorkflow',
  id: (importId: string) => `${ID_PREFIX}${importId}`,
  actor: (importId: string) => `workflow:${ID_PREFIX}${importId}`,
} as const;
