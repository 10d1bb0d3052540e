import path from 'node:path';
import type { Db } from '../db/database';
import type { AppConfig } from '../domain/config';
import { startSmtpSink } from './smtp-sink';

/**
 * Local stand-ins for external SaaS in development: an SMTP sink with a connected dev mailbox
 * (so sent emails land in .data/mail/), the PSA emulator when PSA_API_URL is not set, the Books
 * emulator when BOOKS_API_URL is not set, and the Salesforce emulator when SALESFORCE_LOGIN_URL is not set.
 */
export interface DevIntegrations {
  describe(): string[];
  /** The Salesforce emulator, when npm start runs one (SALESFORCE_LOGIN_URL unset). */
  salesforce?: { loginUrl: string; clientId: string; clientSecret: string };
  stop(): Promise<void>;
}

export async function startDevIntegrations(opts: { config: AppConfig; db: Db; dataDir: string; env: NodeJS.ProcessEnv; log: (msg: string) => void; salesforceCredentials?: { clientId: string; clientSecret: string } }): Promise<DevIntegrations> {
  const { config, db, dataDir } = opts;
  const mailDir = path.join(dataDir, 'mail');
  const sink = await startSmtpSink({ port: config.SMTP_SINK_PORT, dir: mailDir });
  const devMailbox = await ensureDevMailbox(db, config.SMTP_SINK_PORT);
  const stops: Array<() => Promise<void>> = [() => sink.close()];
  const lines = [`  Mail sink     smtp://127.0.0.1:${config.SMTP_SINK_PORT} -> ${path.relative(process.cwd(), mailDir)}/ (dev mailbox ${devMailbox})`];

  if (!config.PSA_API_URL) {
    // The emulator lives with the tests; it speaks the PSA's HTTP API.
    const { startPsaEmulator } = await import('../test/emulators/psa-emulator');
    const publicBaseUrl = opts.env.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`;
    const psa = await startPsaEmulator({
      port: config.PSA_EMULATOR_PORT,
      psaIntegrationKey: opts.env.PSA_INTEGRATION_KEY!,
      crmIntegrationKey: opts.env.CRM_INTEGRATION_KEY!,
      crmWebhookUrl: `${publicBaseUrl}/v1/webhooks/psa`,
      confirmationDelayMs: 5_000,
      webhookDelivery: 'timer',
    });
    opts.env.PSA_API_URL = psa.url;
    opts.log(`PSA_API_URL is not set: running the PSA emulator at ${psa.url} (confirms new clients after 5 s)`);
    stops.push(() => psa.close());
    lines.push(`  PSA           ${psa.url} (emulator; set PSA_API_URL to use a real PSA)`);
  }
  if (!config.BOOKS_API_URL) {
    const { startBooksEmulator } = await import('../test/emulators/books/books-emulator');
    const books = await startBooksEmulator({ port: config.BOOKS_EMULATOR_PORT, apiKey: opts.env.BOOKS_API_KEY! });
    opts.env.BOOKS_API_URL = books.url;
    const secretsFile = path.relative(process.cwd(), path.join(dataDir, 'dev-secrets.json'));
    opts.log(`BOOKS_API_URL is not set: running the Books emulator at ${books.url} (key: BOOKS_API_KEY in ${secretsFile})`);
    stops.push(() => books.close());
    lines.push(`  Books         ${books.url} (emulator; key BOOKS_API_KEY in ${secretsFile}; set BOOKS_API_URL to use a real Books)`);
  }
  let salesforce: DevIntegrations['salesforce'];
  // The emulator and its dev connector are for `npm start` (which passes the credentials), not the cluster.
  if (!config.SALESFORCE_LOGIN_URL && opts.salesforceCredentials) {
    const { startSalesforceEmulator } = await import('../test/emulators/salesforce');
    const sf = await startSalesforceEmulator({ port: config.SALESFORCE_EMULATOR_PORT, ...opts.salesforceCredentials });
    salesforce = { loginUrl: sf.url, clientId: opts.salesforceCredentials.clientId, clientSecret: opts.salesforceCredentials.clientSecret };
    opts.log(`SALESFORCE_LOGIN_URL is not set: running the Salesforce emulator at ${sf.url} (client credentials in ${path.relative(process.cwd(), path.join(dataDir, 'dev-secrets.json'))})`);
    stops.push(() => sf.stop());
    lines.push(`  Salesforce    ${sf.url} (emulator, a dev connector syncs it; set SALESFORCE_LOGIN_URL to use a real org)`);
  }
  return {
    describe: () => lines,
    ...(salesforce ? { salesforce } : {}),
    stop: async () => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    },
  };
}

/** The dev mailbox: SMTP into the local sink, connected, sync enabled. Created once. */
async function ensureDevMailbox(db: Db, port: number): Promise<string> {
  const address = 'dev-sender@crm-workflows.local';
  const existing = await db.selectFrom('mailboxes').select('id').where('address', '=', address).executeTakeFirst();
  if (existing) {
    await db.updateTable('mailboxes').set({ settings: JSON.stringify({ host: '127.0.0.1', port, secure: false }) }).where('id', '=', existing.id).execute();
    return existing.id;
  }
  const row = await db
    .insertInto('mailboxes')
    .values({ provider: 'smtp', address, display_name: 'Dev Sender', connected: true, sync_enabled: true, settings: JSON.stringify({ host: '127.0.0.1', port, secure: false }), secret: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
