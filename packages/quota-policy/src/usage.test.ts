import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZERO_BALANCES, type AccountBalances } from './balances.js';
import { DEFAULT_QUOTA_POLICY as policy } from './config.js';
import { usageMessage } from './messages.js';
import { decideReservation, evaluateUsage, hardLimitTokens, lateSettlement, levelOf } from './usage.js';

function balancesAt(consumedTokens: number, capacityTokens = 100_000): AccountBalances {
  const remaining = capacityTokens - consumedTokens;
  return {
    ...ZERO_BALANCES,
    periodCapacityTokens: capacityTokens,
    periodConsumedTokens: consumedTokens,
    freeTokens: Math.max(0, remaining),
    debtTokens: Math.max(0, -remaining),
  };
}

describe('levelOf at every boundary (capacity 100,000)', () => {
  it.each([
    [0, 'NORMAL'],
    [79_990, 'NORMAL'],
    [80_000, 'NOTICE'],
    [89_990, 'NOTICE'],
    [90_000, 'WARNING'],
    [94_990, 'WARNING'],
    [95_000, 'CRITICAL'],
    [104_990, 'CRITICAL'],
    [105_000, 'BLOCKED'],
    [120_000, 'BLOCKED'],
  ] as const)('%i tokens consumed → %s', (consumed, level) => {
    expect(levelOf(consumed, 100_000, policy)).toBe(level);
  });

  it('decides boundaries exactly for capacities that are not round', () => {
    // 90 % of 333,333 is 299,999.7: one token below stays NOTICE, the next is WARNING.
    expect(levelOf(299_999, 333_333, policy)).toBe('NOTICE');
    expect(levelOf(300_000, 333_333, policy)).toBe('WARNING');
  });

  it('treats an account without capacity as blocked', () => {
    expect(levelOf(0, 0, policy)).toBe('BLOCKED');
  });

  it('follows configured thresholds', () => {
    const strict = { ...policy, warningBasisPoints: 7_000, noticeBasisPoints: 5_000 };
    expect(levelOf(70_000, 100_000, strict)).toBe('WARNING');
  });
});

describe('evaluateUsage', () => {
  it('reports the seed scenario at 90 %: 10,000 tokens and 11 turns left by default', () => {
    const usage = evaluateUsage(balancesAt(90_000), policy);
    expect(usage).toMatchObject({ level: 'WARNING', usagePercent: 90, remainingTokens: 10_000, estimatedTurns: 11 });
  });

  it('never rounds a percentage up into the next level', () => {
    const usage = evaluateUsage(balancesAt(89_999), policy);
    expect(usage.level).toBe('NOTICE');
    expect(usage.usagePercent).toBe(89.99);
  });

  it('uses the user average for estimated turns and never estimates negative turns', () => {
    expect(evaluateUsage(balancesAt(90_000), policy, 2_000).estimatedTurns).toBe(5);
    expect(evaluateUsage(balancesAt(103_000), policy, 2_000).estimatedTurns).toBe(0);
  });

  it('lets holds, not only consumption, limit what may still be reserved', () => {
    const usage = evaluateUsage({ ...balancesAt(100_000), heldTokens: 3_000 }, policy);
    expect(usage.hardLimitTokens).toBe(105_000);
    expect(usage.reservableTokens).toBe(2_000);
    expect(usage.graceInUse).toBe(false);
  });
});

describe('decideReservation', () => {
  it('refuses a hold that would pass 105 % and grants one that ends exactly there', () => {
    expect(decideReservation(balancesAt(100_000), 5_001, policy)).toEqual({
      allowed: false,
      reason: 'INSUFFICIENT_HEADROOM',
      reservableTokens: 5_000,
    });
    expect(decideReservation(balancesAt(100_000), 5_000, policy)).toEqual({ allowed: true, tokens: 5_000 });
  });

  it('shrinks a hold down to the minimum when asked to', () => {
    expect(decideReservation(balancesAt(104_000), 4_000, policy, 100)).toEqual({ allowed: true, tokens: 1_000 });
  });

  it('counts open holds as consumed when deciding whether a request may start', () => {
    const decision = decideReservation({ ...balancesAt(100_000), heldTokens: 5_000 }, 1, policy);
    expect(decision).toMatchObject({ allowed: false, reason: 'BLOCKED' });
  });

  it('keeps the hard limit an integer', () => {
    expect(hardLimitTokens(333_333, policy)).toBe(349_999);
  });
});

describe('usageMessage', () => {
  const percentages = /-?\d+(\.\d+)?%/g;

  it('prints a rounded, never negative percentage at every level', () => {
    for (let consumed = 0; consumed <= 110_000; consumed += 137) {
      for (const locale of ['ko', 'en'] as const) {
        const message = usageMessage(evaluateUsage(balancesAt(consumed), policy), locale);
        for (const match of message.match(percentages) ?? []) {
          expect(match, message).toMatch(/^\d+%$/);
        }
        expect(message).not.toMatch(/-\d/);
      }
    }
  });

  it('states the remaining share at WARNING', () => {
    const message = usageMessage(evaluateUsage(balancesAt(90_400), policy), 'ko');
    expect(message).toBe('토큰이 약 10% 남았습니다. 9,600토큰으로 약 10회 더 대화할 수 있습니다.');
  });

  it('says plainly when the overage (100–105 %) is in use', () => {
    const usage = evaluateUsage(balancesAt(102_000), policy);
    expect(usageMessage(usage, 'ko')).toContain('초과 사용 중');
    expect(usageMessage(usage, 'ko')).toContain('차단까지 3,000토큰');
    expect(usageMessage(usage, 'en')).toContain('in overage');
    expect(usageMessage(usage, 'en')).toContain('3,000 tokens left before chat is blocked');
  });

  it('says "< 1%" rather than 0 % when almost nothing is left', () => {
    expect(usageMessage(evaluateUsage(balancesAt(99_700), policy), 'en')).toContain('About < 1%');
  });

  it('tells a blocked user to buy tokens', () => {
    expect(usageMessage(evaluateUsage(balancesAt(105_000), policy), 'ko')).toContain('구매');
  });
});

describe('lateSettlement (a turn that outlived its hold)', () => {
  it('charges what fits under 105 % after the open holds and writes off the rest', () => {
    expect(lateSettlement({ ...balancesAt(100_000), heldTokens: 4_000 }, 3_000, policy)).toEqual({ chargedTokens: 1_000, writtenOffTokens: 2_000 });
    expect(lateSettlement(balancesAt(50_000), 3_000, policy)).toEqual({ chargedTokens: 3_000, writtenOffTokens: 0 });
    expect(lateSettlement(balancesAt(106_000), 3_000, policy)).toEqual({ chargedTokens: 0, writtenOffTokens: 3_000 });
  });

  it('never ends past the hard limit, and charged + written off is what was consumed', () => {
    fc.assert(
      fc.property(fc.nat(120_000), fc.nat(10_000), fc.nat(20_000), fc.integer({ min: 1, max: 1_000_000 }), (consumed, held, turn, capacity) => {
        const before = { ...balancesAt(consumed, capacity), heldTokens: held };
        const { chargedTokens, writtenOffTokens } = lateSettlement(before, turn, policy);
        expect(chargedTokens + writtenOffTokens).toBe(turn);
        expect(chargedTokens).toBeGreaterThanOrEqual(0);
        expect(before.periodConsumedTokens + before.heldTokens + chargedTokens).toBeLessThanOrEqual(Math.max(hardLimitTokens(capacity, policy), before.periodConsumedTokens + before.heldTokens));
      }),
    );
  });
});
