import { setTimeout as sleep } from 'node:timers/promises';
import type { Answer, ApiRecorder } from './api-recorder';

/**
 * A steady load through the real APIs, alternating between them: a new contact enrolled in the
 * sequence every `everyMs`, and every `promoteEvery`-th tick a new company (with one contact)
 * promoted to the PSA. Like a real client, a request answered 5xx (or not at all) is retried: the
 * API promises that a retried enrollment or promotion never runs twice.
 */
export interface LoadKeys {
  rep: string;
  admin: string;
}

export interface LoadOutcome {
  /** Enrollment ids the API answered `enrolled` for. */
  enrolled: string[];
  /** Contacts the API rejected, with its reasons (after every retry). */
  rejected: Array<{ contactId: string; reasons: string[] }>;
  /** Enrollment answers `rejected: WORKFLOW_START_FAILED` (Temporal refused the start; the API says retry), each retried. */
  startFailures: Answer[];
  /** Companies whose promotion the API accepted (202). */
  promoted: string[];
  /** Operations that never got an answer after every retry (a contact or company never created). */
  abandoned: number;
  retries: number;
}

const RETRIES = 40;
const RETRY_PAUSE_MS = 500;

export function startLoad(opts: { api: ApiRecorder; keys: LoadKeys; sequenceId: string; everyMs: number; promoteEvery: number; maxInFlight?: number }): { stop(): Promise<LoadOutcome> } {
  const outcome: LoadOutcome = { enrolled: [], rejected: [], startFailures: [], promoted: [], abandoned: 0, retries: 0 };
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let tick = 0;

  /** Calls until the API answers something other than 5xx; undefined if it never does. */
  async function persist(api: number, key: string, route: string, path: string, body: unknown) {
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const res = await opts.api.call((api + attempt) % opts.api.apis, key, 'POST', route, path, body);
      if (res.status !== 0 && res.status < 500) return res;
      outcome.retries++;
      await sleep(RETRY_PAUSE_MS);
    }
    return undefined;
  }

  async function enroll(n: number, api: number): Promise<void> {
    const contact = await persist(api, opts.keys.rep, '/v1/contacts', '/v1/contacts', { email: `chaos-${n}@crm.test`, firstName: 'Chaos', consent: 'opted_in' });
    if (contact?.status !== 201) return void outcome.abandoned++;
    const contactId = (contact.body as { id: string }).id;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const res = await persist(api, opts.keys.rep, '/v1/sequences/:id/enrollments', `/v1/sequences/${opts.sequenceId}/enrollments`, { contactIds: [contactId] });
      if (res?.status !== 200) return void outcome.abandoned++;
      const [result] = (res.body as { results: Array<{ status: string; enrollmentId?: string; reasons: string[] }> }).results;
      if (result?.status === 'enrolled' && result.enrollmentId) return void outcome.enrolled.push(result.enrollmentId);
      if (result?.reasons.join() !== 'WORKFLOW_START_FAILED') return void outcome.rejected.push({ contactId, reasons: result?.reasons ?? [] });
      outcome.startFailures.push(res.answer);
      outcome.retries++;
      await sleep(RETRY_PAUSE_MS);
    }
    outcome.abandoned++;
  }

  async function promote(n: number, api: number): Promise<void> {
    const company = await persist(api, opts.keys.admin, '/v1/companies', '/v1/companies', { name: `Chaos ${n}`, domains: [`chaos-${n}.example`] });
    if (company?.status !== 201) return void outcome.abandoned++;
    const companyId = (company.body as { id: string }).id;
    const contact = await persist(api, opts.keys.admin, '/v1/contacts', '/v1/contacts', { email: `owner@chaos-${n}.example`, companyId });
    if (contact?.status !== 201) return void outcome.abandoned++;
    const res = await persist(api, opts.keys.admin, '/v1/companies/:id/promote', `/v1/companies/${companyId}/promote`, undefined);
    // 200: a retry found the promotion an earlier, unanswered attempt had recorded (and resumed it).
    if (res?.status === 202 || res?.status === 200) outcome.promoted.push(companyId);
    else outcome.abandoned++;
  }

  const loop = (async () => {
    while (!stopped) {
      const n = tick++;
      const api = n % opts.api.apis;
      if (inFlight.size < (opts.maxInFlight ?? 20)) {
        const op = (n % opts.promoteEvery === opts.promoteEvery - 1 ? promote(n, api) : enroll(n, api)).finally(() => inFlight.delete(op));
        inFlight.add(op);
      }
      await sleep(opts.everyMs);
    }
  })();

  return {
    stop: async () => {
      stopped = true;
      await loop;
      await Promise.all(inFlight);
      return outcome;
    },
  };
}
