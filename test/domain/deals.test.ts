/** The pure deal rules: stage validation, exact money, forecast placement, automation timing and conflicts, health score. */
import { inactivityDeadlines, rulesTriggeredByEntry, undoesManualMove, validateRule, MANUAL_MOVE_GRACE_MS, type DealRule } from '../../domain/deals/automation';
import { closeDateInPeriod, evaluateForecastRules } from '../../domain/deals/forecast-rules';
import { healthScore } from '../../domain/deals/health-score';
import { checkAmount, currencyDigits, Decimal, formatMoney, sumOf, weightedAmount } from '../../domain/deals/money';
import { isCalendarDate, monthOf } from '../../domain/deals/period';
import { STAGE_NAME_MAX_LENGTH, validateStages } from '../../domain/deals/pipeline-rules';

const stage = (name: string, kind: 'open' | 'won' | 'lost' = 'open', probability = 10) => ({ name, kind, probability });

describe('pipeline stage rules', () => {
  it('accepts one won and one lost stage with unique names within the limit', () => {
    expect(validateStages([stage('Lead'), stage('Won', 'won', 100), stage('Lost', 'lost', 0)])).toEqual([]);
  });

  it('names every problem at once, each with its code and path', () => {
    const problems = validateStages([stage('x'.repeat(STAGE_NAME_MAX_LENGTH + 1)), stage('Demo'), stage('demo '), stage('Won', 'won'), stage('Also won', 'won')]);
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['body.stages.0.name', 'STAGE_NAME_TOO_LONG'],
      ['body.stages.2.name', 'STAGE_NAME_DUPLICATE'],
      ['body.stages', 'PIPELINE_WON_LOST_REQUIRED'],
      ['body.stages', 'PIPELINE_WON_LOST_REQUIRED'],
    ]);
    expect(problems[2]!.problem).toContain('exactly one won stage, found 2');
    expect(problems[3]!.problem).toContain('exactly one lost stage, found 0');
  });

  it('allows a name of exactly the limit and compares duplicates case-insensitively', () => {
    expect(validateStages([stage('y'.repeat(STAGE_NAME_MAX_LENGTH)), stage('W', 'won'), stage('L', 'lost')])).toEqual([]);
    expect(validateStages([stage('Proposal'), stage('PROPOSAL'), stage('W', 'won'), stage('L', 'lost')]).map((p) => p.code)).toEqual(['STAGE_NAME_DUPLICATE']);
  });

  it('refuses ids on a new pipeline and ids the pipeline does not have', () => {
    const id = '00000000-0000-4000-8000-000000000001';
    expect(validateStages([{ ...stage('A'), id }, stage('W', 'won'), stage('L', 'lost')]).map((p) => p.path)).toEqual(['body.stages.0.id']);
    expect(validateStages([{ ...stage('A'), id }, stage('W', 'won'), stage('L', 'lost')], new Set(['other'])).map((p) => p.problem)).toEqual(['is not a stage of this pipeline']);
  });
});

describe('money is exact', () => {
  it('sums 0.1 + 0.2 to exactly 0.3 (a float would give 0.30000000000000004)', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(formatMoney(sumOf([new Decimal('0.1'), new Decimal('0.2')]), 'USD')).toBe('0.30');
  });

  it('keeps every digit of large amounts and of their sums', () => {
    const big = '999999999999999999.99'; // 18 integer digits: beyond 2^53 by far
    expect(checkAmount(big, 'USD')).toEqual({ ok: true, value: big });
    const total = sumOf(Array.from({ length: 1_000_000 / 1000 }, () => new Decimal(big)).concat([new Decimal('0.01')]));
    expect(formatMoney(total, 'USD')).toBe('999999999999999999990.01'); // 1000 × big + 0.01, every cent kept
    expect(formatMoney(weightedAmount(new Decimal(big), 33), 'USD')).toBe('329999999999999999.9967');
  });

  it('checks decimals against the currency (ISO 4217 minor units) and refuses non-currencies', () => {
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('BHD')).toBe(3);
    expect(currencyDigits('XXX')).toBeUndefined();
    expect(currencyDigits('usd')).toBeUndefined();
    expect(checkAmount('100.5', 'JPY')).toMatchObject({ ok: false });
    expect(checkAmount('100.500', 'BHD')).toEqual({ ok: true, value: '100.500' });
    expect(checkAmount('007.10', 'EUR')).toEqual({ ok: true, value: '7.10' });
    expect(checkAmount('-1', 'EUR')).toMatchObject({ ok: false });
    expect(checkAmount('1e3', 'EUR')).toMatchObject({ ok: false });
    expect(checkAmount('1'.repeat(19), 'EUR')).toMatchObject({ ok: false });
  });
});

describe('forecast rules', () => {
  const base = { pipelineId: 'p1', status: 'open' as const, probability: 40, closeDateInPeriod: true };
  it('places an open, weighted deal of the period and pipeline in the forecast', () => {
    expect(evaluateForecastRules(base, 'p1').placement).toEqual({ kind: 'open' });
  });
  it.each([
    [{ probability: 0 }, ['STAGE_PROBABILITY_ZERO']],
    [{ closeDateInPeriod: false }, ['CLOSE_DATE_OUTSIDE_PERIOD']],
    [{ status: 'lost' as const }, ['DEAL_NOT_OPEN']],
    [{ pipelineId: 'p2' }, ['OTHER_PIPELINE']],
    [{ status: 'lost' as const, closeDateInPeriod: false, pipelineId: 'p2' }, ['OTHER_PIPELINE', 'DEAL_NOT_OPEN', 'CLOSE_DATE_OUTSIDE_PERIOD']],
  ])('leaves out %j with %j', (change, codes) => {
    expect(evaluateForecastRules({ ...base, ...change }, 'p1').placement).toEqual({ kind: 'left_out', codes });
  });
  it('counts a won deal of the period as Closed Won, whatever its probability; outside the period it is left out', () => {
    expect(evaluateForecastRules({ ...base, status: 'won', probability: 0 }, 'p1').placement).toEqual({ kind: 'closed_won' });
    expect(evaluateForecastRules({ ...base, status: 'won', closeDateInPeriod: false }, 'p1').placement).toEqual({ kind: 'left_out', codes: ['DEAL_NOT_OPEN', 'CLOSE_DATE_OUTSIDE_PERIOD'] });
  });
  it('lists every rule with pass/fail', () => {
    expect(evaluateForecastRules({ ...base, probability: 0 }, 'p1').rules.map((r) => [r.code, r.pass])).toEqual([
      ['OTHER_PIPELINE', true], ['DEAL_NOT_OPEN', true], ['CLOSE_DATE_OUTSIDE_PERIOD', true], ['STAGE_PROBABILITY_ZERO', false],
    ]);
  });
  it('uses inclusive calendar periods, and the current month by default', () => {
    expect(closeDateInPeriod('2025-03-31', { from: '2025-03-01', to: '2025-03-31' })).toBe(true);
    expect(closeDateInPeriod('2025-04-01', { from: '2025-03-01', to: '2025-03-31' })).toBe(false);
    expect(monthOf(Date.UTC(2024, 1, 10))).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(isCalendarDate('2025-02-30')).toBe(false);
  });
});

describe('automation rules', () => {
  const rule = (over: Partial<DealRule> & Pick<DealRule, 'trigger'>): DealRule => ({ id: 'r', action: { type: 'create_task' }, createdAtMs: 0, ...over });
  it('triggers entered_stage on that stage, won and lost on those kinds, and never before the rule existed', () => {
    const rules = [rule({ id: 'a', trigger: { type: 'entered_stage', stageId: 's1' } }), rule({ id: 'w', trigger: { type: 'won' } }), rule({ id: 'l', trigger: { type: 'lost' } }), rule({ id: 'late', trigger: { type: 'won' }, createdAtMs: 5000 })];
    expect(rulesTriggeredByEntry(rules, { toStageId: 's1', toStageKind: 'open', atMs: 1000 }).map((r) => r.id)).toEqual(['a']);
    expect(rulesTriggeredByEntry(rules, { toStageId: 'sw', toStageKind: 'won', atMs: 1000 }).map((r) => r.id)).toEqual(['w']);
    expect(rulesTriggeredByEntry(rules, { toStageId: 'sl', toStageKind: 'lost', atMs: 6000 }).map((r) => r.id)).toEqual(['l']);
  });
  it('is due duration after the last activity (or after its own creation), once per spell', () => {
    const [due] = inactivityDeadlines([rule({ trigger: { type: 'no_activity_for', duration: 'P7D' }, createdAtMs: 1000 })], 500);
    expect(due).toMatchObject({ dueAtMs: 1000 + 7 * 86_400_000, spellKey: 'inactive:1000' });
  });
  it('sees a rule undo a manual move only when it sends the deal back within the grace window', () => {
    const manual = { historyId: '1', fromStageId: 'A', toStageId: 'B', byUserId: 'u', atMs: 10_000 };
    expect(undoesManualMove('A', manual, 10_000 + MANUAL_MOVE_GRACE_MS)).toBe(true);
    expect(undoesManualMove('A', manual, 10_001 + MANUAL_MOVE_GRACE_MS)).toBe(false);
    expect(undoesManualMove('C', manual, 10_000)).toBe(false);
    expect(undoesManualMove('A', null, 10_000)).toBe(false);
  });
  it('validates rule bodies by type', () => {
    const stages = new Set(['s1', 's2']);
    expect(validateRule({ type: 'entered_stage', stageId: 's1' }, { type: 'move_to_stage', stageId: 's2' }, stages)).toEqual([]);
    expect(validateRule({ type: 'no_activity_for', duration: 'P1M' }, { type: 'enroll_contacts_in_sequence' }, stages).map((p) => p.path)).toEqual(['body.trigger.duration', 'body.action.sequenceId']);
    expect(validateRule({ type: 'won', stageId: 's1' }, { type: 'move_to_stage', stageId: 'zz' }, stages).map((p) => p.path)).toEqual(['body.trigger.stageId', 'body.action.stageId']);
  });
});

describe('health score', () => {
  it('adds the four documented components', () => {
    expect(healthScore({ activities30d: 20, emailsSent90d: 10, emailEngagements90d: 4, openDeals: 2, openDealsNotOverdue: 1, overdueTasks: 1 })).toMatchObject({
      score: 30 + 10 + 25 + 15,
      components: [{ name: 'recent_activity', points: 30 }, { name: 'email_engagement', points: 10 }, { name: 'open_pipeline', points: 25 }, { name: 'overdue_tasks', points: 15 }],
    });
    expect(healthScore({ activities30d: 0, emailsSent90d: 0, emailEngagements90d: 0, openDeals: 1, openDealsNotOverdue: 0, overdueTasks: 9 }).score).toBe(10);
  });
});
