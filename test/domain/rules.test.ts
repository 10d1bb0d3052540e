import { REASON_CODES } from '../../domain/reason-codes';
import {
  SEQUENCE_RULES,
  classifyCodes,
  evaluateSequenceRules,
  type RuleResult,
  type SequencePhase,
  type SequenceRuleFacts,
} from '../../domain/sequences/rules';

const PHASES: SequencePhase[] = ['enroll', 'send'];
const RULE_ORDER = ['consent', 'suppression', 'sequence_state', 'mailbox', 'contact_status', 'no_address', 'one_enrollment'];

/** A contact who may receive email in an active sequence with a working mailbox. */
function facts(overrides: {
  contact?: Partial<SequenceRuleFacts['contact']>;
  suppression?: SequenceRuleFacts['suppression'];
  sequence?: SequenceRuleFacts['sequence'];
  mailbox?: SequenceRuleFacts['mailbox'];
  otherLiveEnrollment?: boolean;
} = {}): SequenceRuleFacts {
  return {
    contact: { exists: true, email: 'ann.lee@example.com', status: 'active', consent: 'opted_in', ...overrides.contact },
    suppression: overrides.suppression === undefined ? null : overrides.suppression,
    sequence: overrides.sequence ?? { status: 'active' },
    mailbox: overrides.mailbox === undefined ? { connected: true, syncEnabled: true } : overrides.mailbox,
    otherLiveEnrollment: overrides.otherLiveEnrollment ?? false,
  };
}

function failing(results: RuleResult[]): Array<Pick<RuleResult, 'rule' | 'code' | 'detail'>> {
  return results.filter((r) => !r.pass).map(({ rule, code, detail }) => ({ rule, code, detail }));
}

describe('SEQUENCE_RULES', () => {
  it('catalogues every rule once, in evaluation order, with known codes', () => {
    expect(SEQUENCE_RULES.map((r) => r.rule)).toEqual(RULE_ORDER);
    expect(SEQUENCE_RULES.map((r) => r.codes)).toEqual([
      ['CONSENT_OPTED_OUT', 'CONSENT_UNKNOWN'],
      ['SUPPRESSED'],
      ['SEQUENCE_PAUSED', 'SEQUENCE_DRAFT', 'SEQUENCE_ARCHIVED'],
      ['MAILBOX_NOT_CONNECTED', 'MAILBOX_SYNC_DISABLED'],
      ['CONTACT_BOUNCED', 'CONTACT_UNSUBSCRIBED'],
      ['CONTACT_NO_EMAIL', 'CONTACT_NOT_FOUND'],
      ['ALREADY_ENROLLED'],
    ]);
    for (const rule of SEQUENCE_RULES) {
      expect(rule.description.length).toBeGreaterThan(10);
      for (const code of rule.codes) expect(REASON_CODES[code]).toBeDefined();
    }
  });
});

describe('evaluateSequenceRules', () => {
  it.each(PHASES)('lists every rule as passing for an eligible contact (%s)', (phase) => {
    const results = evaluateSequenceRules(facts(), phase);
    expect(results.map((r) => r.rule)).toEqual(RULE_ORDER);
    expect(results.every((r) => r.pass && r.code === null)).toBe(true);
  });

  // [name, facts, rule, code, detail] — each fails the same way in both phases.
  const singleFailures: Array<[string, SequenceRuleFacts, string, string, string]> = [
    ['opted out', facts({ contact: { consent: 'opted_out' } }), 'consent', 'CONSENT_OPTED_OUT', 'The contact has opted out of email.'],
    ['consent unknown', facts({ contact: { consent: 'unknown' } }), 'consent', 'CONSENT_UNKNOWN', 'The contact has not given consent to email (consent is unknown).'],
    ['suppressed (complained)', facts({ suppression: { reason: 'complained' } }), 'suppression', 'SUPPRESSED', 'The address is on the suppression list (reason: complained).'],
    ['suppressed (erased)', facts({ suppression: { reason: 'erased' } }), 'suppression', 'SUPPRESSED', 'The address is on the suppression list (reason: erased).'],
    ['paused', facts({ sequence: { status: 'paused' } }), 'sequence_state', 'SEQUENCE_PAUSED', 'The sequence is paused; enrollments wait until it is resumed.'],
    ['draft', facts({ sequence: { status: 'draft' } }), 'sequence_state', 'SEQUENCE_DRAFT', 'The sequence is a draft; it accepts no enrollments and sends nothing.'],
    ['archived', facts({ sequence: { status: 'archived' } }), 'sequence_state', 'SEQUENCE_ARCHIVED', 'The sequence is archived; it accepts no enrollments and sends nothing.'],
    ['no mailbox', facts({ mailbox: null }), 'mailbox', 'MAILBOX_NOT_CONNECTED', 'The sequence has no mailbox; enrollments wait until one is connected.'],
    ['mailbox disconnected', facts({ mailbox: { connected: false, syncEnabled: true } }), 'mailbox', 'MAILBOX_NOT_CONNECTED', "The sequence's mailbox is not connected; enrollments wait until it is reconnected."],
    ['mailbox sync disabled', facts({ mailbox: { connected: true, syncEnabled: false } }), 'mailbox', 'MAILBOX_SYNC_DISABLED', "Sync is disabled on the sequence's mailbox; enrollments wait until it is enabled."],
    ['bounced', facts({ contact: { status: 'bounced' } }), 'contact_status', 'CONTACT_BOUNCED', 'The contact has status bounced.'],
    ['unsubscribed', facts({ contact: { status: 'unsubscribed' } }), 'contact_status', 'CONTACT_UNSUBSCRIBED', 'The contact has status unsubscribed.'],
    ['no email', facts({ contact: { email: null } }), 'no_address', 'CONTACT_NO_EMAIL', 'The contact has no email address.'],
    ['blank email', facts({ contact: { email: '  ' } }), 'no_address', 'CONTACT_NO_EMAIL', 'The contact has no email address.'],
    ['invalid email', facts({ contact: { email: 'ann.lee@localhost' } }), 'no_address', 'CONTACT_NO_EMAIL', "The contact's email address is not a valid address."],
  ];

  it('a missing contact: CONTACT_NOT_FOUND when enrolling (a wrong id), CONTACT_NO_EMAIL at send time (deleted meanwhile)', () => {
    const missing = facts({ contact: { exists: false, email: null } });
    expect(failing(evaluateSequenceRules(missing, 'enroll'))).toEqual([{ rule: 'no_address', code: 'CONTACT_NOT_FOUND', detail: 'No contact has this id.' }]);
    expect(failing(evaluateSequenceRules(missing, 'send'))).toEqual([{ rule: 'no_address', code: 'CONTACT_NO_EMAIL', detail: 'The contact does not exist, so there is no address to send to.' }]);
  });

  describe.each(PHASES)('%s phase', (phase) => {
    it.each(singleFailures)('%s', (_name, input, rule, code, detail) => {
      expect(failing(evaluateSequenceRules(input, phase))).toEqual([{ rule, code, detail }]);
    });
  });

  it('a disconnected mailbox reports only MAILBOX_NOT_CONNECTED even if sync is also off', () => {
    expect(failing(evaluateSequenceRules(facts({ mailbox: { connected: false, syncEnabled: false } }), 'send')).map((r) => r.code)).toEqual([
      'MAILBOX_NOT_CONNECTED',
    ]);
  });

  it('an inactive contact passes the status rule', () => {
    const status = evaluateSequenceRules(facts({ contact: { status: 'inactive' } }), 'enroll').find((r) => r.rule === 'contact_status');
    expect(status).toEqual({ rule: 'contact_status', code: null, pass: true, detail: 'The contact has status inactive.' });
  });

  it('ALREADY_ENROLLED fails only in the enroll phase', () => {
    const input = facts({ otherLiveEnrollment: true });
    expect(failing(evaluateSequenceRules(input, 'enroll'))).toEqual([
      { rule: 'one_enrollment', code: 'ALREADY_ENROLLED', detail: 'The contact already has a live enrollment in this sequence.' },
    ]);
    expect(evaluateSequenceRules(input, 'send').find((r) => r.rule === 'one_enrollment')).toEqual({
      rule: 'one_enrollment',
      code: null,
      pass: true,
      detail: 'Not checked at send time: the enrollment being sent is the live one.',
    });
  });

  it('reports all failing rules together, in catalogue order', () => {
    const input = facts({
      contact: { consent: 'opted_out', status: 'bounced', email: null },
      suppression: { reason: 'bounced' },
      sequence: { status: 'paused' },
      mailbox: { connected: true, syncEnabled: false },
      otherLiveEnrollment: true,
    });
    const results = evaluateSequenceRules(input, 'enroll');
    expect(results).toHaveLength(7);
    expect(results.map((r) => [r.rule, r.code, r.pass])).toEqual([
      ['consent', 'CONSENT_OPTED_OUT', false],
      ['suppression', 'SUPPRESSED', false],
      ['sequence_state', 'SEQUENCE_PAUSED', false],
      ['mailbox', 'MAILBOX_SYNC_DISABLED', false],
      ['contact_status', 'CONTACT_BOUNCED', false],
      ['no_address', 'CONTACT_NO_EMAIL', false],
      ['one_enrollment', 'ALREADY_ENROLLED', false],
    ]);
    expect(classifyCodes(results, 'enroll')).toEqual({
      reject: ['CONSENT_OPTED_OUT', 'SUPPRESSED', 'CONTACT_BOUNCED', 'CONTACT_NO_EMAIL', 'ALREADY_ENROLLED'],
      end: [],
      hold: ['SEQUENCE_PAUSED', 'MAILBOX_SYNC_DISABLED'],
    });
  });

  it('a missing contact yields one reason, not three', () => {
    const results = evaluateSequenceRules(facts({ contact: { exists: false, email: null } }), 'send');
    expect(results.find((r) => r.rule === 'consent')).toEqual({ rule: 'consent', code: null, pass: true, detail: 'Not checked: the contact does not exist.' });
    expect(failing(results).map((r) => r.code)).toEqual(['CONTACT_NO_EMAIL']);
  });

  it('details contain no personal data', () => {
    const email = 'ann.lee@example.com';
    const input = facts({ contact: { email, consent: 'unknown', status: 'unsubscribed' }, suppression: { reason: 'manual' } });
    for (const phase of PHASES) {
      for (const result of evaluateSequenceRules(input, phase)) {
        expect(result.detail).not.toContain(email);
        expect(result.detail).not.toMatch(/ann|lee|example/i);
      }
    }
  });
});

describe('classifyCodes', () => {
  const codesFor = (input: SequenceRuleFacts, phase: SequencePhase) => classifyCodes(evaluateSequenceRules(input, phase), phase);

  it('returns empty lists when everything passes', () => {
    expect(codesFor(facts(), 'enroll')).toEqual({ reject: [], end: [], hold: [] });
    expect(codesFor(facts(), 'send')).toEqual({ reject: [], end: [], hold: [] });
  });

  it('enroll: paused sequence and mailbox problems are accepted and wait', () => {
    expect(codesFor(facts({ sequence: { status: 'paused' } }), 'enroll')).toEqual({ reject: [], end: [], hold: ['SEQUENCE_PAUSED'] });
    expect(codesFor(facts({ mailbox: null }), 'enroll')).toEqual({ reject: [], end: [], hold: ['MAILBOX_NOT_CONNECTED'] });
    expect(codesFor(facts({ mailbox: { connected: true, syncEnabled: false } }), 'enroll')).toEqual({ reject: [], end: [], hold: ['MAILBOX_SYNC_DISABLED'] });
  });

  it.each([
    [facts({ contact: { consent: 'opted_out' } }), 'CONSENT_OPTED_OUT'],
    [facts({ contact: { consent: 'unknown' } }), 'CONSENT_UNKNOWN'],
    [facts({ suppression: { reason: 'unsubscribed' } }), 'SUPPRESSED'],
    [facts({ sequence: { status: 'draft' } }), 'SEQUENCE_DRAFT'],
    [facts({ sequence: { status: 'archived' } }), 'SEQUENCE_ARCHIVED'],
    [facts({ contact: { status: 'bounced' } }), 'CONTACT_BOUNCED'],
    [facts({ contact: { status: 'unsubscribed' } }), 'CONTACT_UNSUBSCRIBED'],
    [facts({ contact: { email: null } }), 'CONTACT_NO_EMAIL'],
    [facts({ otherLiveEnrollment: true }), 'ALREADY_ENROLLED'],
  ] as const)('enroll: rejects %#: %s', (input, code) => {
    expect(codesFor(input, 'enroll')).toEqual({ reject: [code], end: [], hold: [] });
  });

  it.each([
    [facts({ contact: { consent: 'opted_out' } }), 'CONSENT_OPTED_OUT'],
    [facts({ contact: { consent: 'unknown' } }), 'CONSENT_UNKNOWN'],
    [facts({ suppression: { reason: 'bounced' } }), 'SUPPRESSED'],
    [facts({ sequence: { status: 'draft' } }), 'SEQUENCE_DRAFT'],
    [facts({ sequence: { status: 'archived' } }), 'SEQUENCE_ARCHIVED'],
    [facts({ contact: { status: 'bounced' } }), 'CONTACT_BOUNCED'],
    [facts({ contact: { status: 'unsubscribed' } }), 'CONTACT_UNSUBSCRIBED'],
    [facts({ contact: { email: null } }), 'CONTACT_NO_EMAIL'],
  ] as const)('send: ends %#: %s', (input, code) => {
    expect(codesFor(input, 'send')).toEqual({ reject: [], end: [code], hold: [] });
  });

  it('send: paused sequence and mailbox problems hold', () => {
    expect(codesFor(facts({ sequence: { status: 'paused' }, mailbox: { connected: false, syncEnabled: true } }), 'send')).toEqual({
      reject: [],
      end: [],
      hold: ['SEQUENCE_PAUSED', 'MAILBOX_NOT_CONNECTED'],
    });
  });

  it('send: another live enrollment is irrelevant', () => {
    expect(codesFor(facts({ otherLiveEnrollment: true }), 'send')).toEqual({ reject: [], end: [], hold: [] });
  });

  it('send: end and hold are reported together', () => {
    expect(codesFor(facts({ contact: { consent: 'opted_out' }, sequence: { status: 'paused' } }), 'send')).toEqual({
      reject: [],
      end: ['CONSENT_OPTED_OUT'],
      hold: ['SEQUENCE_PAUSED'],
    });
  });
});
