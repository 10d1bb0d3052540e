/**
 * Local Books emulator: `tsx test/emulators/books/main.ts`.
 * Env: BOOKS_EMULATOR_PORT (default 4020), BOOKS_API_KEY (required: the key clients must present).
 * Prints its URL once listening; SIGINT / SIGTERM stop it.
 */
import { startBooksEmulator } from './books-emulator';

const DEFAULT_PORT = 4020;

function port(): number {
  const raw = process.env.BOOKS_EMULATOR_PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`BOOKS_EMULATOR_PORT must be a port number (1-65535), got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const apiKey = process.env.BOOKS_API_KEY;
  if (!apiKey) throw new Error('BOOKS_API_KEY is required: the key the CRM presents to Books');
  const emulator = await startBooksEmulator({ port: port(), apiKey });
  console.log(`Books emulator listening on ${emulator.url}`);
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
