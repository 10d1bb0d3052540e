/** The no-op workflow: the baseline benchmarks compare real workflows against, and a worker smoke test. */
export const noopContract = {
  type: 'noopWorkflow',
  id: (runId: string) => `noop-${runId}`,
} as const;
