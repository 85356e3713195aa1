import { describe, expect, it } from 'vitest';
import { defaultPlans, parsePlans } from '../config/plans-config.js';
import { allowsModel, completionLimitOf, decidePlanChange, endsUnpaidAtReset, laterPeriod, paidFor, planAtReset, planRenewal, previousPeriodKey, withinRate, type PlanLimits, type PlanState } from './plan-rules.js';

const plan = (id: string, monthlyTokens: number, priceKrw: number, more: Partial<PlanLimits> = {}): PlanLimits => ({
  id,
  monthlyTokens,
  priceKrw,
  models: null,
  completionLimit: 1_000,
  turnsPerMinute: 10,
  concurrentTurns: 2,
  ...more,
});

describe('decidePlanChange', () => {
  const free = plan('free', 100_000, 0);
  const plus = plan('plus', 1_000_000, 9_900);
  it('an upgrade is dearer, or as dear with more tokens, and tops this period up to the new allowance now', () => {
    expect(decidePlanChange(free, plus, 100_000)).toEqual({ kind: 'upgrade', allowanceDelta: 900_000 });
    expect(decidePlanChange(free, plan('bigfree', 200_000, 0), 100_000)).toEqual({ kind: 'upgrade', allowanceDelta: 100_000 });
    // Dearer but with fewer tokens (say, better models): an upgrade that adds nothing.
    expect(decidePlanChange(plus, plan('models', 500_000, 19_900), 1_000_000)).toEqual({ kind: 'upgrade', allowanceDelta: 0 });
  });
  it('tops up from what the period was granted, not from the plans’ figures of today', () => {
    // free was changed to 10,000 after this period's 100,000 were granted: plus still ends at 1,000,000.
    expect(decidePlanChange(plan('free', 10_000, 0), plus, 100_000)).toEqual({ kind: 'upgrade', allowanceDelta: 900_000 });
    // X(100k) → Y(50k, dearer: +0) → Z(100k, dearer still): Z's allowance, not 150k.
    expect(decidePlanChange(plan('y', 50_000, 100), plan('z', 100_000, 200), 100_000)).toEqual({ kind: 'upgrade', allowanceDelta: 0 });
  });
  it('anything else waits for the reset', () => {
    expect(decidePlanChange(plus, free, 1_000_000)).toEqual({ kind: 'downgrade' });
    expect(decidePlanChange(free, plan('lite', 50_000, 0), 100_000)).toEqual({ kind: 'downgrade' });
    expect(decidePlanChange(free, plan('same', 100_000, 0), 100_000)).toEqual({ kind: 'downgrade' });
    expect(decidePlanChange(free, free, 100_000)).toEqual({ kind: 'same' });
  });
});

describe('a turn under its plan', () => {
  it('uses only the plan’s models, up to the smaller completion limit', () => {
    const lite = plan('lite', 1, 0, { models: ['consult-basic'], completionLimit: 100 });
    expect(allowsModel(lite, 'consult-basic')).toBe(true);
    expect(allowsModel(lite, 'consult-pro')).toBe(false);
    expect(allowsModel(plan('all', 1, 0), 'anything')).toBe(true);
    expect(completionLimitOf(lite, 2_048)).toBe(100);
    expect(completionLimitOf(lite, 64)).toBe(64);
  });
  it('starts only under its turns a minute', () => {
    const capped = plan('capped', 1, 0, { turnsPerMinute: 3 });
    expect(withinRate(capped, 2)).toBe(true);
    expect(withinRate(capped, 3)).toBe(false);
  });
});

describe('PLANS', () => {
  const models = ['consult-basic', 'consult-pro'];
  it('defaults to the four seeded plans, free with QUOTA_FREE_MONTHLY_TOKENS', () => {
    expect(parsePlans(undefined, 70_000, models)).toEqual(defaultPlans(70_000));
    expect(defaultPlans(100_000).map((p) => [p.id, p.monthlyTokens, p.priceKrw, p.forSale])).toEqual([
      ['free', 100_000, 0, true],
      ['plus', 1_000_000, 9_900, true],
      ['pro', 5_000_000, 29_000, true],
      ['enterprise', 20_000_000, 990_000, false],
    ]);
  });
  it('changes figures of a seeded plan and adds a complete new one', () => {
    const plans = parsePlans(JSON.stringify({ plus: { priceKrw: 12_900 }, team: { name: { ko: '팀', en: 'Team' }, monthlyTokens: 1, models: ['consult-pro'], completionLimit: 1, turnsPerMinute: 1, concurrentTurns: 1, priceKrw: 1, forSale: true } }), 100_000, models);
    expect(plans.find((p) => p.id === 'plus')).toMatchObject({ priceKrw: 12_900, monthlyTokens: 1_000_000 });
    expect(plans.find((p) => p.id === 'team')).toMatchObject({ models: ['consult-pro'] });
  });
  it.each([
    ['not JSON', '{'],
    ['a bad id', JSON.stringify({ 'Bad Id': { priceKrw: 1 } })],
    ['an unknown figure', JSON.stringify({ plus: { colour: 'red' } })],
    ['a fraction', JSON.stringify({ plus: { monthlyTokens: 1.5 } })],
    ['a huge number', JSON.stringify({ plus: { monthlyTokens: 1e23 } })],
    ['a new plan missing figures', JSON.stringify({ team: { priceKrw: 1 } })],
    ['a model that is not offered', JSON.stringify({ plus: { models: ['gpt-9'] } })],
    ['a free plan with a price', JSON.stringify({ free: { priceKrw: 1_000 } })],
    ['a free plan not for sale', JSON.stringify({ free: { forSale: false } })],
  ])('refuses %s', (_, json) => {
    expect(() => parsePlans(json, 100_000, models)).toThrow(/PLANS/);
  });
});

describe('a paid plan at the reset', () => {
  const state = (planId: string, planPaidThrough: string | null, nextPlanId: string | null = null): PlanState => ({ planId, nextPlanId, planPaidThrough });

  it('goes on while its payments cover the new period, and ends (free) once they do not', () => {
    expect(planAtReset(state('plus', '2026-12'), '2026-12')).toEqual(state('plus', '2026-12'));
    expect(planAtReset(state('plus', '2026-11'), '2026-12')).toEqual(state('free', null));
    // Months apart (nobody came for a while): still free.
    expect(planAtReset(state('plus', '2026-11'), '2027-03')).toEqual(state('free', null));
    // Across a year: keys sort in time.
    expect(planAtReset(state('plus', '2026-12'), '2027-01').planId).toBe('free');
  });

  it('a plan that does not depend on payments (free, an admin’s contract) goes on', () => {
    expect(planAtReset(state('pro', null), '2027-01')).toEqual(state('pro', null));
  });

  it('a move chosen for the reset starts once the paid plan is not paid for the new period; a paid month is never lost', () => {
    expect(planAtReset(state('plus', '2026-11', 'free'), '2026-12')).toEqual(state('free', null));
    expect(planAtReset(state('pro', '2026-11', 'plus'), '2026-12')).toEqual(state('plus', null));
    expect(planAtReset(state('pro', null, 'plus'), '2026-12')).toEqual(state('plus', null));
    // Renewed for December, then back to free chosen: December stays paid, free starts in January.
    expect(planAtReset(state('plus', '2026-12', 'free'), '2026-12')).toEqual(state('plus', '2026-12', 'free'));
    expect(planAtReset(state('plus', '2026-12', 'free'), '2027-01')).toEqual(state('free', null));
  });

  it('says when a paid plan ends unpaid at the next reset, and not when something else was chosen', () => {
    expect(endsUnpaidAtReset(state('plus', '2026-11'), '2026-12')).toBe(true);
    expect(endsUnpaidAtReset(state('plus', '2026-12'), '2026-12')).toBe(false);
    expect(endsUnpaidAtReset(state('plus', '2026-11', 'free'), '2026-12')).toBe(false);
    expect(endsUnpaidAtReset(state('free', null), '2026-12')).toBe(false);
  });

  it('knows a plan already paid for this period, the later of two periods, and which subscriptions renew', () => {
    expect(paidFor(state('plus', '2026-11'), 'plus', '2026-11')).toBe(true);
    expect(paidFor(state('plus', '2026-10'), 'plus', '2026-11')).toBe(false);
    expect(paidFor(state('plus', '2026-12'), 'pro', '2026-11')).toBe(false);
    expect(paidFor(state('pro', null), 'pro', '2026-11')).toBe(false);
    expect(laterPeriod(null, '2026-11')).toBe('2026-11');
    expect(laterPeriod('2026-12', '2026-11')).toBe('2026-12');
    expect(laterPeriod('2026-09', '2026-11')).toBe('2026-11');
    expect(planRenewal(state('plus', '2026-11'), 'plus', '2026-11')).toBe('renew');
    expect(planRenewal(state('plus', '2026-11', 'free'), 'plus', '2026-11')).toBe('wait');
    expect(planRenewal(state('pro', null), 'plus', '2026-11')).toBe('end');
    // An admin's contract on the same plan: nothing to pay.
    expect(planRenewal(state('plus', null), 'plus', '2026-11')).toBe('end');
    // Another subscription of the same plan paid the account's period (bought again after a lapse): this one ends.
    expect(planRenewal(state('plus', '2026-12'), 'plus', '2026-11')).toBe('end');
    expect(previousPeriodKey('2026-12')).toBe('2026-11');
    expect(previousPeriodKey('2027-01')).toBe('2026-12');
  });
});
