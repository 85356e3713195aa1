import { describe, expect, it } from 'vitest';
import { planStanding } from './plan-standing';

const current = { planId: 'plus', nextPlanId: null, periodEndsAt: '2026-11-30T15:00:00.000Z', paidThrough: '2026-11', endsUnpaidAtReset: true };
const subscription = {
  id: 's1',
  productId: 'plan-plus',
  planId: 'plus',
  productName: '플러스 요금제 (월간)',
  provider: 'toss',
  status: 'ACTIVE' as const,
  amount: 9_900,
  currency: 'KRW',
  tokens: 0,
  currentPeriodEnd: '2026-11-30T15:00:00.000Z',
  renewsAt: '2026-11-27T15:00:00.000Z',
  canceledAt: null,
};
const name = (id: string) => ({ free: '무료', plus: '플러스' })[id] ?? id;

describe('planStanding', () => {
  it('a paid plan renewing before the reset says when and how much', () => {
    expect(planStanding(current, [subscription], name)).toEqual({ kind: 'renews', renewsAt: subscription.renewsAt, amount: 9_900 });
  });
  it('a declined renewal is a failure to fix before the reset', () => {
    expect(planStanding(current, [{ ...subscription, status: 'PAST_DUE' }], name).kind).toBe('failed');
  });
  it('a cancelled plan ends at the reset; one already paid past it says nothing yet', () => {
    expect(planStanding(current, [{ ...subscription, status: 'CANCELED', renewsAt: null }], name).kind).toBe('ends');
    expect(planStanding({ ...current, paidThrough: '2026-12', endsUnpaidAtReset: false }, [], name).kind).toBe('free');
  });
  it('a move chosen for the reset wins; a plan without payments is a contract, free is free', () => {
    expect(planStanding({ ...current, nextPlanId: 'free' }, [subscription], name)).toEqual({ kind: 'moves', nextName: '무료' });
    expect(planStanding({ ...current, planId: 'pro', paidThrough: null, endsUnpaidAtReset: false }, [], name).kind).toBe('contract');
    expect(planStanding({ ...current, planId: 'free', paidThrough: null, endsUnpaidAtReset: false }, [], name).kind).toBe('free');
  });
  it('another product’s subscription is not the plan’s', () => {
    expect(planStanding(current, [{ ...subscription, planId: null, productId: 'monthly-test' }], name).kind).toBe('ends');
  });
});
