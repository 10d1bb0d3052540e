/**
 * Local Books emulator: `tsx test/emulators/books/main.ts`.
 * Env: BOOKS_EMULATOR_PORT (default 4020), BOOKS_API_KEY (required: the key clients must present).
 * Prints its URL once listening; SIGINT / SIGTERM stop it.
 */
import { portEnv, requiredEnv, runEmulator } from '../run-emulator';
import { startBooksEmulator } from './books-emulator';

runEmulator(
  async () => {
    const books = await startBooksEmulator({ port: portEnv('BOOKS_EMULATOR_PORT', 4020), apiKey: requiredEnv('BOOKS_API_KEY', 'the key the CRM presents to Books') });
    return { url: books.url, stop: () => books.close() };
  },
  (url) => `Books emulator listening on ${url}`,
);
