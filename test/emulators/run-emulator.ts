/**
 * What every emulator's command-line entry shares: read its settings from the environment, start it,
 * print where it listens, and stop it cleanly on SIGINT / SIGTERM (exit 1 with the reason on failure).
 */
export interface RunningEmulator {
  url: string;
  stop(): Promise<void>;
}

/** The value of a required environment variable, or a clear error naming it. */
export function requiredEnv(name: string, why = ''): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required${why ? `: ${why}` : ''}`);
  return value;
}

/** A port from the environment (default when unset), or a clear error naming the variable. */
export function portEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a port number (0-65535; 0 picks a free one), got "${raw}"`);
  return value;
}

export function runEmulator(start: () => Promise<RunningEmulator>, describe: (url: string) => string): void {
  start().then(
    (emulator) => {
      console.log(describe(emulator.url));
      const stop = (): void => {
        emulator.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(err);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
