import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyDelta,
  balanceProblems,
  InsufficientBalanceError,
  planConsumption,
  planConsumptionReversal,
  planCredit,
  planDebit,
  planReset,
  planSettlement,
  ZERO_BALANCES,
  type AccountBalances,
} from './balances.js';

const fresh: AccountBalances = { ...ZERO_BALANCES, freeTokens: 100_000, periodCapacityTokens: 100_000 };

describe('planConsumption', () => {
  const withPurchase = applyDelta(fresh, planCredit(fresh, 20_000, 'purchased'));

  it('draws purchased tokens before free tokens by default', () => {
    const { split } = planConsumption(withPurchase, 25_000, 'purchased-first');
    expect(split).toEqual({ purchasedTokens: 20_000, freeTokens: 5_000, overageTokens: 0 });
  });

  it('draws free tokens first when configured', () => {
    const { split } = planConsumption(withPurchase, 25_000, 'free-first');
    expect(split).toEqual({ purchasedTokens: 0, freeTokens: 25_000, overageTokens: 0 });
  });

  it('turns what the buckets cannot cover into debt', () => {
    const { split, delta } = planConsumption(withPurchase, 123_000, 'purchased-first');
    expect(split).toEqual({ purchasedTokens: 20_000, freeTokens: 100_000, overageTokens: 3_000 });
    expect(balanceProblems(applyDelta(withPurchase, delta))).toEqual([]);
  });

  it('releases the whole hold on settlement', () => {
    const held = { ...fresh, heldTokens: 4_000 };
    const { delta } = planSettlement(held, 4_000, 1_500, 'purchased-first');
    expect(applyDelta(held, delta)).toMatchObject({ heldTokens: 0, freeTokens: 98_500, periodConsumedTokens: 1_500 });
  });
});

describe('credits and debits', () => {
  const inDebt = applyDelta(fresh, planConsumption(fresh, 103_000, 'purchased-first').delta);

  it('repays debt before adding to a bucket', () => {
    const after = applyDelta(inDebt, planCredit(inDebt, 10_000, 'purchased'));
    expect(after).toMatchObject({ debtTokens: 0, purchasedTokens: 7_000, periodCapacityTokens: 110_000 });
  });

  it('refuses to remove more than the buckets hold', () => {
    expect(() => planDebit(fresh, 100_001)).toThrow(InsufficientBalanceError);
    expect(applyDelta(fresh, planDebit(fresh, 1_000))).toMatchObject({ freeTokens: 99_000, periodCapacityTokens: 99_000 });
  });

  it('reverses consumption into debt first, then the free bucket', () => {
    const after = applyDelta(inDebt, planConsumptionReversal(inDebt, 5_000));
    expect(after).toMatchObject({ debtTokens: 0, freeTokens: 2_000, periodConsumedTokens: 98_000 });
  });

  it('rejects fractional or non-positive amounts', () => {
    expect(() => planCredit(fresh, 1.5, 'free')).toThrow(RangeError);
    expect(() => planDebit(fresh, 0)).toThrow(RangeError);
  });
});

describe('planReset', () => {
  it('expires unused free tokens and grants the new allowance, keeping purchases', () => {
    const before = { ...fresh, freeTokens: 40_000, purchasedTokens: 7_000, periodConsumedTokens: 60_000, periodCapacityTokens: 107_000 };
    const plan = planReset(before, 100_000, 1);
    const after = applyDelta(applyDelta(before, plan.expiry!), plan.grant);
    expect(after).toEqual({ ...ZERO_BALANCES, freeTokens: 100_000, purchasedTokens: 7_000, periodCapacityTokens: 107_000 });
  });

  it('carries overage into the next period as already consumed', () => {
    const inDebt = applyDelta(fresh, planConsumption(fresh, 104_000, 'purchased-first').delta);
    const plan = planReset(inDebt, 100_000, 1);
    expect(plan.expiry).toBeNull();
    const after = applyDelta(inDebt, plan.grant);
    expect(after).toMatchObject({ freeTokens: 96_000, debtTokens: 0, periodConsumedTokens: 4_000, periodCapacityTokens: 100_000 });
    expect(balanceProblems(after)).toEqual([]);
  });

  it('repays debt from skipped periods when an account was idle', () => {
    const hugeDebt = { ...ZERO_BALANCES, debtTokens: 250_000, periodCapacityTokens: 5_000_000, periodConsumedTokens: 5_250_000 };
    const after = applyDelta(hugeDebt, planReset(hugeDebt, 100_000, 2).grant);
    expect(after).toMatchObject({ debtTokens: 50_000, freeTokens: 0, periodConsumedTokens: 150_000, periodCapacityTokens: 100_000 });
    expect(balanceProblems(after)).toEqual([]);
  });
});

describe('balances under any sequence of operations', () => {
  const operation = fc.oneof(
    fc.record({ kind: fc.constant('consume' as const), tokens: fc.integer({ min: 0, max: 60_000 }) }),
    fc.record({ kind: fc.constant('credit' as const), tokens: fc.integer({ min: 1, max: 60_000 }), bucket: fc.constantFrom('free' as const, 'purchased' as const) }),
    fc.record({ kind: fc.constant('debit' as const), tokens: fc.integer({ min: 1, max: 60_000 }) }),
    fc.record({ kind: fc.constant('reverse' as const), tokens: fc.integer({ min: 1, max: 60_000 }) }),
    fc.record({ kind: fc.constant('reset' as const), periods: fc.integer({ min: 1, max: 3 }) }),
  );

  it('never leave a bucket negative and keep capacity − consumed = free + purchased − debt', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 40 }), fc.constantFrom('purchased-first' as const, 'free-first' as const), (operations, order) => {
        let balances = fresh;
        for (const op of operations) {
          try {
            if (op.kind === 'consume') balances = applyDelta(balances, planConsumption(balances, op.tokens, order).delta);
            if (op.kind === 'credit') balances = applyDelta(balances, planCredit(balances, op.tokens, op.bucket));
            if (op.kind === 'debit') balances = applyDelta(balances, planDebit(balances, op.tokens));
            if (op.kind === 'reverse') balances = applyDelta(balances, planConsumptionReversal(balances, op.tokens));
            if (op.kind === 'reset') {
              const plan = planReset(balances, 100_000, op.periods);
              if (plan.expiry) balances = applyDelta(balances, plan.expiry);
              balances = applyDelta(balances, plan.grant);
            }
          } catch (error) {
            if (!(error instanceof InsufficientBalanceError)) throw error;
          }
          expect(balanceProblems(balances)).toEqual([]);
        }
      }),
    );
  });
});
