/** Does nothing: the baseline that benchmarks compare real workflows against, and a smoke test of the worker. */
export async function noopWorkflow(): Promise<string> {
  return 'ok';
}
