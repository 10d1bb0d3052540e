/**
 * Sequence rules (RULES.md "Email sequences"), evaluated the same way at enrollment, before each
 * send and by the diagnostics endpoint. Every rule is always reported, so a diagnosis shows all
 * reasons at once instead of the first one found. Details never contain personal data.
 */
import type { Consent, ContactStatus } from '../contacts/vocabulary';
import type { SuppressionReason } from '../suppressions/vocabulary';
import type { SequenceStatus } from './vocabulary';
import type { ReasonCode } from '../reason-codes';
import { isValidEmail } from '../email-address';

export type SequencePhase = 'enroll' | 'send';

export type SequenceRuleName =
  | 'consent'
  | 'suppression'
  | 'sequence_state'
  | 'mailbox'
  | 'contact_status'
  | 'no_address'
  | 'one_enrollment';


export type SequenceRuleFacts = {
  contact: {
    exists: boolean;
    email: string | null;
    status: ContactStatus;
    consent: Consent;
  };
  suppression: { reason: SuppressionReason } | null;
  sequence: { status: SequenceStatus };
  /** null: the sequence has no mailbox assigned. */
  mailbox: { connected: boolean; syncEnabled: boolean } | null;
  /** Another live enrollment of this contact in this sequence; only meaningful at enrollment. */
  otherLiveEnrollment: boolean;
};

export type RuleResult = { rule: SequenceRuleName; code: ReasonCode | null; pass: boolean; detail: string };

export type SequenceRuleDefinition = { rule: SequenceRuleName; codes: readonly ReasonCode[]; description: string };

/** The catalogue, in evaluation order; the API documents rules from it. */
export const SEQUENCE_RULES: readonly SequenceRuleDefinition[] = [
  { rule: 'consent', codes: ['CONSENT_OPTED_OUT', 'CONSENT_UNKNOWN'], description: 'Only contacts who opted in receive sequence email.' },
  { rule: 'suppression', codes: ['SUPPRESSED'], description: 'An address on the suppression list receives nothing.' },
  { rule: 'sequence_state', codes: ['SEQUENCE_PAUSED', 'SEQUENCE_DRAFT', 'SEQUENCE_ARCHIVED'], description: 'Only an active sequence sends; a paused one holds its enrollments, draft and archived ones accept none.' },
  { rule: 'mailbox', codes: ['MAILBOX_NOT_CONNECTED', 'MAILBOX_SYNC_DISABLED'], description: "The sequence's mailbox must be connected with sync enabled; otherwise enrollments wait." },
  { rule: 'contact_status', codes: ['CONTACT_BOUNCED', 'CONTACT_UNSUBSCRIBED'], description: 'Contacts with status bounced or unsubscribed receive nothing.' },
  { rule: 'no_address', codes: ['CONTACT_NO_EMAIL', 'CONTACT_NOT_FOUND'], description: 'The contact must exist and have a valid email address.' },
  { rule: 'one_enrollment', codes: ['ALREADY_ENROLLED'], description: 'A contact has at most one live enrollment per sequence (checked at enrollment).' },
];

/** Codes that mean "wait durably and retry later", never "refuse" or "end". */
export const HOLD_CODES: readonly ReasonCode[] = ['SEQUENCE_PAUSED', 'MAILBOX_NOT_CONNECTED', 'MAILBOX_SYNC_DISABLED'];

export function evaluateSequenceRules(facts: SequenceRuleFacts, phase: SequencePhase): RuleResult[] {
  return SEQUENCE_RULES.map(({ rule }) => ({ rule, ...EVALUATORS[rule](facts, phase) }));
}

/**
 * Splits failing codes by consequence.
 * - enroll: hold codes are accepted (the enrollment is created and waits); every other failure rejects.
 * - send: hold codes make the step wait; every other failure ends the enrollment with that code.
 *   CONSENT_UNKNOWN ends too: RULES.md says such contacts receive no sequence email, and a
 *   consent change must start a new enrollment rather than resume an old cadence.
 * When both `end` and `hold` are non-empty at send time, `end` wins.
 */
export function classifyCodes(
  results: readonly RuleResult[],
  phase: SequencePhase,
): { reject: ReasonCode[]; end: ReasonCode[]; hold: ReasonCode[] } {
  const reject: ReasonCode[] = [];
  const end: ReasonCode[] = [];
  const hold: ReasonCode[] = [];
  for (const { pass, code } of results) {
    if (pass || code === null) continue;
    if (HOLD_CODES.includes(code)) hold.push(code);
    else if (phase === 'enroll') reject.push(code);
    // ALREADY_ENROLLED is about creating a second enrollment; it never ends a live one.
    else if (code !== 'ALREADY_ENROLLED') end.push(code);
  }
  return { reject, end, hold };
}

type Verdict = { code: ReasonCode | null; pass: boolean; detail: string };

const ok = (detail: string): Verdict => ({ code: null, pass: true, detail });
const failed = (code: ReasonCode, detail: string): Verdict => ({ code, pass: false, detail });
const NO_CONTACT = 'Not checked: the contact does not exist.';

const EVALUATORS: Record<SequenceRuleName, (facts: SequenceRuleFacts, phase: SequencePhase) => Verdict> = {
  consent: ({ contact }) => {
    if (!contact.exists) return ok(NO_CONTACT);
    if (contact.consent === 'opted_out') return failed('CONSENT_OPTED_OUT', 'The contact has opted out of email.');
    if (contact.consent === 'unknown') return failed('CONSENT_UNKNOWN', 'The contact has not given consent to email (consent is unknown).');
    return ok('The contact has opted in to email.');
  },

  suppression: ({ suppression }) =>
    suppression
      ? failed('SUPPRESSED', `The address is on the suppression list (reason: ${suppression.reason}).`)
      : ok('The address is not on the suppression list.'),

  sequence_state: ({ sequence }) => {
    switch (sequence.status) {
      case 'active':
        return ok('The sequence is active.');
      case 'paused':
        return failed('SEQUENCE_PAUSED', 'The sequence is paused; enrollments wait until it is resumed.');
      case 'draft':
        return failed('SEQUENCE_DRAFT', 'The sequence is a draft; it accepts no enrollments and sends nothing.');
      case 'archived':
        return failed('SEQUENCE_ARCHIVED', 'The sequence is archived; it accepts no enrollments and sends nothing.');
    }
  },

  mailbox: ({ mailbox }) => {
    if (mailbox === null) return failed('MAILBOX_NOT_CONNECTED', 'The sequence has no mailbox; enrollments wait until one is connected.');
    if (!mailbox.connected) return failed('MAILBOX_NOT_CONNECTED', "The sequence's mailbox is not connected; enrollments wait until it is reconnected.");
    if (!mailbox.syncEnabled) return failed('MAILBOX_SYNC_DISABLED', "Sync is disabled on the sequence's mailbox; enrollments wait until it is enabled.");
    return ok("The sequence's mailbox is connected with sync enabled.");
  },

  contact_status: ({ contact }) => {
    if (!contact.exists) return ok(NO_CONTACT);
    if (contact.status === 'bounced') return failed('CONTACT_BOUNCED', 'The contact has status bounced.');
    if (contact.status === 'unsubscribed') return failed('CONTACT_UNSUBSCRIBED', 'The contact has status unsubscribed.');
    return ok(`The contact has status ${contact.status}.`);
  },

  // A missing contact (deleted or erased mid-sequence) has no address to send to: one clear reason.
  no_address: ({ contact }, phase) => {
    // Enrolling an id that names no contact is a caller's mistake, not a contact without an address.
    if (!contact.exists && phase === 'enroll') return failed('CONTACT_NOT_FOUND', 'No contact has this id.');
    if (!contact.exists) return failed('CONTACT_NO_EMAIL', 'The contact does not exist, so there is no address to send to.');
    if (contact.email === null || contact.email.trim() === '') return failed('CONTACT_NO_EMAIL', 'The contact has no email address.');
    if (!isValidEmail(contact.email)) return failed('CONTACT_NO_EMAIL', "The contact's email address is not a valid address.");
    return ok('The contact has a valid email address.');
  },

  one_enrollment: ({ otherLiveEnrollment }, phase) => {
    if (phase === 'send') return ok('Not checked at send time: the enrollment being sent is the live one.');
    return otherLiveEnrollment
      ? failed('ALREADY_ENROLLED', 'The contact already has a live enrollment in this sequence.')
      : ok('The contact has no other live enrollment in this sequence.');
  },
};
