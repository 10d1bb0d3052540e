import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';
import type { Clock } from '../domain/clock';
import type { AppConfig } from '../domain/config';
import type { BooksClient } from '../integrations/books/client';
import type { PsaClient } from '../integrations/psa/client';
import type { MailboxRow } from '../integrations/mail/mailbox-transports';
import type { MailTransport } from '../integrations/mail/transport';
import type { WorkerMetrics } from '../services/metrics/worker-metrics';

/** What activities need from the outside world, injected by the worker (and by tests). */
export interface ActivityDeps {
  db: Db;
  config: AppConfig;
  /** The PSA API; when absent, built from PSA_API_URL / PSA_INTEGRATION_KEY / CRM_INTEGRATION_KEY on first use. */
  psa?: PsaClient;
  /** The Books API; when absent, built from BOOKS_API_URL / BOOKS_API_KEY on first use. */
  books?: BooksClient;
  /** The transport for a mailbox (tests: the Graph emulator, failure injection); default: SMTP / Graph, cached per mailbox. */
  mailTransportFor?: (mailbox: MailboxRow) => MailTransport;
  /** A Temporal client, for the reconciliation of workflows stopped outside the CRM (visibility queries). */
  temporal?: Client;
  /** The time activities decide by (send limits, send windows, lookbacks); default the system clock. */
  clock?: Clock;
  /** This worker's metrics (services/metrics/worker-metrics.ts); absent: nothing is counted. */
  metrics?: WorkerMetrics;
  /** CRM sync: waits between Bulk API job polls (tests: none), per-request timeout. */
  crmClient?: { sleep?: (ms: number) => Promise<void>; requestTimeoutMs?: number };
}
