import { describe, expect, it } from 'vitest';
import { byPrice, createBody, emptyPlanForm, formOf, parseCount, planChangeMessage, planTargetPath, saleState, updateBody, validatePlanForm, type AdminPlan, type PlanForm } from './plans';

const plus: AdminPlan = {
  id: 'plus',
  name: '플러스',
  names: { ko: '플러스', en: 'Plus' },
  monthlyTokens: 1_000_000,
  models: null,
  completionLimit: 4_096,
  turnsPerMinute: 60,
  concurrentTurns: 8,
  priceKrw: 9_900,
  forSale: true,
  retiredAt: null,
  accounts: 3,
  joining: 1,
  managedBy: 'config',
};

const filled: PlanForm = { ...emptyPlanForm, id: 'team', nameKo: '팀', nameEn: 'Team', monthlyTokens: '2,000,000', priceKrw: '19,900' };

describe('parseCount', () => {
  it('reads whole numbers with or without thousands separators', () => {
    expect(parseCount('1,000,000')).toBe(1_000_000);
    expect(parseCount(' 4 096 ')).toBe(4_096);
    expect(parseCount('0')).toBe(0);
  });

  it('gives NaN for what is not a number (no hex, no exponent, no empty)', () => {
    for (const text of ['', 'abc', '0x10', '1e3', '12abc']) expect(parseCount(text), text).toBeNaN();
    expect(parseCount('1.5')).toBe(1.5);
  });
});

describe('validatePlanForm (the API’s bounds, in the browser)', () => {
  it('accepts a complete plan', () => {
    expect(validatePlanForm(filled, 'create')).toEqual({});
  });

  it('names every field that is wrong', () => {
    const errors = validatePlanForm(
      { ...filled, id: 'Team!', nameKo: '', nameEn: 'x'.repeat(41), monthlyTokens: '-1', priceKrw: '1.5', completionLimit: '0', turnsPerMinute: '', concurrentTurns: '10001', allModels: false, models: [] },
      'create',
    );
    expect(errors).toEqual({
      id: { key: 'planErrorId' },
      nameKo: { key: 'planErrorName' },
      nameEn: { key: 'planErrorName' },
      monthlyTokens: { key: 'planErrorRange', vars: { min: 0, max: 1_000_000_000_000 } },
      priceKrw: { key: 'planErrorInteger' },
      completionLimit: { key: 'planErrorRange', vars: { min: 1, max: 1_000_000 } },
      turnsPerMinute: { key: 'planErrorRequired' },
      concurrentTurns: { key: 'planErrorRange', vars: { min: 1, max: 10_000 } },
      models: { key: 'planErrorModels' },
    });
  });

  it('checks the id only when creating (it cannot change)', () => {
    expect(validatePlanForm({ ...formOf(plus), id: 'whatever ID' }, 'edit')).toEqual({});
  });

  it('takes the limits of the API: 32 characters of id, 100,000,000원', () => {
    expect(validatePlanForm({ ...filled, id: `a${'b'.repeat(31)}` }, 'create')).toEqual({});
    expect(validatePlanForm({ ...filled, id: `a${'b'.repeat(32)}` }, 'create').id).toBeDefined();
    expect(validatePlanForm({ ...filled, priceKrw: '100,000,000' }, 'create')).toEqual({});
    expect(validatePlanForm({ ...filled, priceKrw: '100,000,001' }, 'create').priceKrw?.key).toBe('planErrorRange');
  });
});

describe('createBody and updateBody', () => {
  it('sends numbers as numbers and every model as null', () => {
    expect(createBody(filled)).toEqual({
      id: 'team',
      name: { ko: '팀', en: 'Team' },
      monthlyTokens: 2_000_000,
      models: null,
      completionLimit: 4_096,
      turnsPerMinute: 60,
      concurrentTurns: 8,
      priceKrw: 19_900,
      forSale: true,
    });
    expect(createBody({ ...filled, allModels: false, models: ['demo-fast'] }).models).toEqual(['demo-fast']);
  });

  it('patches only what changed, and nothing when nothing did', () => {
    expect(updateBody(plus, formOf(plus))).toBeNull();
    expect(updateBody(plus, { ...formOf(plus), monthlyTokens: '1,500,000', nameEn: 'Plus+' })).toEqual({ monthlyTokens: 1_500_000, name: { ko: '플러스', en: 'Plus+' } });
    expect(updateBody(plus, { ...formOf(plus), allModels: false, models: ['demo-fast'] })).toEqual({ models: ['demo-fast'] });
    expect(updateBody({ ...plus, models: ['b', 'a'] }, { ...formOf(plus), allModels: false, models: ['a', 'b'] })).toBeNull();
  });

  it('never sends forSale for a retired plan', () => {
    const retired = { ...plus, forSale: false, retiredAt: '2025-06-10T00:00:00.000Z' };
    expect(updateBody(retired, { ...formOf(retired), forSale: true })).toBeNull();
  });
});

describe('sale state and order', () => {
  it('tells for sale, staff only and retired apart', () => {
    expect(saleState(plus)).toBe('forSale');
    expect(saleState({ forSale: false, retiredAt: null })).toBe('staffOnly');
    expect(saleState({ forSale: false, retiredAt: '2025-06-10T00:00:00.000Z' })).toBe('retired');
  });

  it('orders by price and allowance, retired plans last', () => {
    const free = { ...plus, id: 'free', priceKrw: 0, monthlyTokens: 100_000 };
    const old = { ...plus, id: 'old', priceKrw: 0, retiredAt: '2025-06-10T00:00:00.000Z' };
    const pro = { ...plus, id: 'pro', priceKrw: 29_000 };
    expect(byPrice([pro, old, plus, free]).map((plan) => plan.id)).toEqual(['free', 'plus', 'pro', 'old']);
  });
});

describe('planChangeMessage', () => {
  const format = { nf: (n: number) => n.toLocaleString('en-US'), df: (iso: string) => iso.slice(0, 10) };
  const current = { planId: 'pro', nextPlanId: null, periodEndsAt: '2025-06-30T15:00:00.000Z', paidThrough: null, endsUnpaidAtReset: false };

  it('says an upgrade applies now with the tokens it added', () => {
    expect(planChangeMessage({ change: 'upgrade', addedTokens: 4_900_000, current }, '프로', false, format)).toEqual({ key: 'planChangeUpgrade', vars: { name: '프로', tokens: '4,900,000' } });
    expect(planChangeMessage({ change: 'upgrade', addedTokens: 0, current }, '프로', false, format).key).toBe('planChangeUpgradeNoTokens');
  });

  it('says a downgrade waits for the reset, with its date', () => {
    expect(planChangeMessage({ change: 'downgrade', addedTokens: 0, current: { ...current, nextPlanId: 'free' } }, '무료', false, format)).toEqual({
      key: 'planChangeDowngrade',
      vars: { name: '무료', date: '2025-06-30' },
    });
  });

  it('says nothing changed, or that the change ahead was cancelled', () => {
    expect(planChangeMessage({ change: 'same', addedTokens: 0, current }, '프로', false, format).key).toBe('planChangeSame');
    expect(planChangeMessage({ change: 'same', addedTokens: 0, current }, '프로', true, format).key).toBe('planChangeCancelled');
  });
});

describe('planTargetPath', () => {
  it('puts a user or an organization’s pool on a plan', () => {
    expect(planTargetPath({ kind: 'user', id: 'u-1' })).toBe('/api/admin/users/u-1/plan');
    expect(planTargetPath({ kind: 'organization', id: 'o-1' })).toBe('/api/admin/organizations/o-1/plan');
    expect(planTargetPath({ kind: 'organization', id: '../x' })).toBe('/api/admin/organizations/..%2Fx/plan');
  });
});
