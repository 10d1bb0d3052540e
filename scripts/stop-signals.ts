/** Ctrl-C, `kill` and a closed terminal all stop a launcher the same, orderly way. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function onStopSignals(stop: (signal: NodeJS.Signals) => void): void {
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal));
}
