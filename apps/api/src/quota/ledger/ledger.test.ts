import { randomUUID } from 'node:crypto';
import { delta } from '@consult-on/quota-policy';
import { and, eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoldClosedError, IdempotencyConflictError, InsufficientTokensError, TokenExhaustedError } from '../../common/errors.js';
import { ledgerEntries } from '../../database/schema.js';
import { createLedgerFixture, type LedgerFixture } from '../../../testing/ledger-fixture.js';
import { LedgerRepository } from './ledger.repository.js';
import type { TurnReservation } from '../holds/holds.service.js';

let fixture: LedgerFixture;

beforeAll(async () => {
  fixture = await createLedgerFixture();
});
afterAll(async () => {
  await fixture?.close();
});

async function entriesOf(userId: string, kind?: string, from: LedgerFixture = fixture) {
  const rows = await from.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.userId, userId));
  return kind ? rows.filter((row) => row.kind === kind) : rows;
}

describe('a new account', () => {
  it('starts with the monthly free allowance and balanced books', async () => {
    const userId = await fixture.createUser();
    const { usage, balances } = await fixture.ledger.usage(userId);
    expect(usage).toMatchObject({ level: 'NORMAL', usagePercent: 0, remainingTokens: 100_000, estimatedTurns: 111 });
    expect(balances).toMatchObject({ freeTokens: 100_000, purchasedTokens: 0 });
    expect(await entriesOf(userId, 'MONTHLY_GRANT')).toHaveLength(1);
    expect(await fixture.ledger.verify(userId)).toEqual([]);
  });
});

describe('holds', () => {
  it('settle with the actual amount, purchased tokens first, and release the rest', async () => {
    const userId = await fixture.createUser();
    await fixture.ledger.credit(null, userId, { kind: 'PURCHASE', tokens: 1_000, bucket: 'purchased' });
    const hold = await fixture.ledger.reserve(userId, { tokens: 3_000, purpose: 'test' });
    expect((await fixture.ledger.usage(userId)).balances.heldTokens).toBe(3_000);
    const settlement = await fixture.ledger.settle(hold.holdId, 2_500);
    expect(settlement.split).toEqual({ purchasedTokens: 1_000, freeTokens: 1_500, overageTokens: 0 });
    const { balances } = await fixture.ledger.usage(userId);
    expect(balances).toMatchObject({ heldTokens: 0, purchasedTokens: 0, freeTokens: 98_500, periodConsumedTokens: 2_500 });
    await expect(fixture.ledger.settle(hold.holdId, 10)).rejects.toBeInstanceOf(HoldClosedError);
    expect(await fixture.ledger.verify(userId)).toEqual([]);
  });

  it('settle from the reservation in one write, or under the lock when the account changed meanwhile', async () => {
    const userId = await fixture.createUser();
    const { ledger } = fixture;
    const first = await ledger.reserveWithAccount(userId, { tokens: 3_000, purpose: 'test' });
    expect(first.account).toMatchObject({ userId, heldTokens: 3_000 });
    // As a chat turn settles: from the reservation, or under the lock when that does not apply.
    const settleIn = async (reservation: TurnReservation, tokens: number) =>
      (await ledger.settleFromReservation(reservation, tokens))?.settlement ??
      fixture.database.db.transaction((tx) => ledger.settle(reservation.hold.holdId, tokens, {}, tx));
    // Nothing changed since the reservation: one compare-and-swap statement settles it.
    expect(await ledger.settleFromReservation(first, 1_000)).toMatchObject({ settlement: { chargedTokens: 1_000 }, attached: null });
    expect((await ledger.usage(userId)).balances).toMatchObject({ heldTokens: 0, periodConsumedTokens: 1_000 });

    // Another change between reserve and settle: not from the reservation, but under the lock,
    // which sees it (purchased tokens first).
    const second = await ledger.reserveWithAccount(userId, { tokens: 2_000, purpose: 'test' });
    await ledger.credit(null, userId, { kind: 'PURCHASE', tokens: 500, bucket: 'purchased' });
    expect(await ledger.settleFromReservation(second, 700)).toBeNull();
    const settled = await settleIn(second, 700);
    expect(settled.split).toEqual({ purchasedTokens: 500, freeTokens: 200, overageTokens: 0 });

    // The hold expired and a new hold of the same size restored every balance: the version still
    // tells, so the expired hold is charged without being released twice.
    const third = await ledger.reserveWithAccount(userId, { tokens: 4_000, purpose: 'test' });
    fixture.clock.advance(fixture.config.holdTtlSeconds * 1_000 + 1);
    await ledger.expireHolds();
    const fourth = await ledger.reserveWithAccount(userId, { tokens: 4_000, purpose: 'test' });
    expect(fourth.account).toMatchObject({ heldTokens: 4_000, periodConsumedTokens: 1_700 });
    await settleIn(third, 300);
    expect((await ledger.usage(userId)).balances).toMatchObject({ heldTokens: 4_000, periodConsumedTokens: 2_000 });
    await expect(settleIn(third, 300)).rejects.toBeInstanceOf(HoldClosedError);
    await ledger.voidHold(fourth.hold.holdId);
    expect(await ledger.verify(userId)).toEqual([]);
  });

  it('charges a turn that outlived its hold only up to 105 %, writing the rest off', async () => {
    const userId = await fixture.createUser();
    const { ledger } = fixture;
    await ledger.setUsagePercent(userId, 100, userId);
    const slow = await ledger.reserve(userId, { tokens: 4_000, purpose: 'test' });
    fixture.clock.advance(fixture.config.holdTtlSeconds * 1_000 + 1);
    await ledger.expireHolds();
    // The released room goes to another turn, which settles in time.
    const fast = await ledger.reserve(userId, { tokens: 4_000, purpose: 'test' });
    await ledger.settle(fast.holdId, 4_000);
    const late = await ledger.settle(slow.holdId, 4_000);
    expect(late).toMatchObject({ chargedTokens: 1_000, usage: { usagePercent: 105 } });
    expect((await ledger.usage(userId)).balances).toMatchObject({ heldTokens: 0, periodConsumedTokens: 105_000 });
    const [entry] = (await entriesOf(userId, 'CONSUMPTION')).filter((row) => row.holdId === slow.holdId);
    expect(entry).toMatchObject({ amountTokens: 1_000, metadata: { writtenOffTokens: 3_000 } });
    expect(await ledger.verify(userId)).toEqual([]);
  });

  it('charges an open hold only up to 105 % when a debit lowered the limit during the turn', async () => {
    const userId = await fixture.createUser();
    const { ledger } = fixture;
    await ledger.credit(null, userId, { kind: 'ADJUSTMENT', tokens: 2_000, bucket: 'purchased', reason: 'grant' });
    await ledger.setUsagePercent(userId, 98, userId);
    const hold = await ledger.reserve(userId, { tokens: 7_000, purpose: 'test' });
    // An admin takes the purchased tokens back while the turn runs: capacity 102,000 → 100,000.
    await ledger.debit(userId, { tokens: 2_000, actorId: userId, reason: 'correction' });
    const settled = await ledger.settle(hold.holdId, 7_000);
    const { balances } = await ledger.usage(userId);
    expect(balances).toMatchObject({ periodCapacityTokens: 100_000, periodConsumedTokens: 105_000, heldTokens: 0 });
    expect(settled.chargedTokens).toBe(105_000 - 99_960);
    expect(await ledger.verify(userId)).toEqual([]);
  });

  it('never settles from the reservation a hold closed behind the version\'s back', async () => {
    const userId = await fixture.createUser();
    const { ledger } = fixture;
    const reservation = await ledger.reserveWithAccount(userId, { tokens: 3_000, purpose: 'test' });
    // A writer that breaks the rule (every change of a hold bumps its account's version): the
    // compare-and-swap alone would match, the statement's own check of the hold does not.
    await fixture.database.db.execute(sql`update token_holds set status = 'VOIDED' where id = ${reservation.hold.holdId}::uuid`);
    expect(await ledger.settleFromReservation(reservation, 1_000)).toBeNull();
    expect((await ledger.usage(userId)).balances).toMatchObject({ heldTokens: 3_000, periodConsumedTokens: 0 });
    await expect(ledger.settle(reservation.hold.holdId, 1_000)).rejects.toBeInstanceOf(HoldClosedError);
  });

  it('aborts a ledger statement that did not write all it was asked to, writing nothing', async () => {
    const userId = await fixture.createUser();
    const repository = new LedgerRepository(fixture.database);
    const before = await repository.findAccount(userId);
    const now = fixture.clock.now();
    // Closing a hold that does not exist: the account row would apply, the hold would not close.
    const write = {
      next: { ...before!, heldTokens: 0 },
      previousOpenHolds: before!.openHolds,
      expectedVersion: null,
      entries: [{ kind: 'HOLD_VOID' as const, amountTokens: 0, delta: delta({}) }],
      touchActivity: false,
      now,
      closeHold: { id: randomUUID(), from: 'OPEN' as const, status: 'VOIDED' as const },
    };
    const failure = await repository.applyChange(fixture.database.db, write).catch((error: Error) => error);
    expect(String((failure as Error).cause ?? failure)).toMatch(/ledger invariant: ledger write incomplete/);
    expect(await repository.findAccount(userId)).toEqual(before);
    expect(await entriesOf(userId)).toHaveLength(1);
  });

  it('void without charging', async () => {
    const userId = await fixture.createUser();
    const hold = await fixture.ledger.reserve(userId, { tokens: 5_000, purpose: 'test' });
    await fixture.ledger.voidHold(hold.holdId);
    const { balances } = await fixture.ledger.usage(userId);
    expect(balances).toMatchObject({ heldTokens: 0, periodConsumedTokens: 0, freeTokens: 100_000 });
    await expect(fixture.ledger.voidHold(hold.holdId)).rejects.toBeInstanceOf(HoldClosedError);
  });

  it('expire after their TTL through the sweeper, and not before', async () => {
    const userId = await fixture.createUser();
    const hold = await fixture.ledger.reserve(userId, { tokens: 4_000, purpose: 'test' });
    await fixture.ledger.expireHolds();
    expect((await fixture.ledger.usage(userId)).balances.heldTokens).toBe(4_000);
    fixture.clock.advance(fixture.config.holdTtlSeconds * 1_000 + 1);
    expect(await fixture.ledger.expireHolds()).toBeGreaterThanOrEqual(1);
    expect((await fixture.ledger.usage(userId)).balances).toMatchObject({ heldTokens: 0, periodConsumedTokens: 0 });
    expect(await entriesOf(userId, 'HOLD_EXPIRY')).toHaveLength(1);
    // A turn that outlived its hold is still charged, without releasing the hold twice.
    await fixture.ledger.settle(hold.holdId, 100);
    expect((await fixture.ledger.usage(userId)).balances).toMatchObject({ heldTokens: 0, periodConsumedTokens: 100 });
    await expect(fixture.ledger.settle(hold.holdId, 100)).rejects.toBeInstanceOf(HoldClosedError);
    expect(await fixture.ledger.verify(userId)).toEqual([]);
  });

  it('are refused when usage plus open holds would pass 105 %', async () => {
    const userId = await fixture.createUser();
    await fixture.ledger.setUsagePercent(userId, 100, userId);
    await fixture.ledger.reserve(userId, { tokens: 3_000, purpose: 'test' });
    await expect(fixture.ledger.reserve(userId, { tokens: 2_001, purpose: 'test' })).rejects.toBeInstanceOf(TokenExhaustedError);
    const shrunk = await fixture.ledger.reserve(userId, { tokens: 4_000, minimumTokens: 100, purpose: 'test' });
    expect(shrunk.tokens).toBe(2_000);
    const refusal = await fixture.ledger.reserve(userId, { tokens: 1, purpose: 'test' }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(TokenExhaustedError);
    expect((refusal as TokenExhaustedError).details()).toMatchObject({ recommendedAction: 'PURCHASE_TOKENS', remainingTokens: 0 });
  });
});

describe('idempotency', () => {
  it('applies a repeated key once and refuses it with another body', async () => {
    const userId = await fixture.createUser();
    const request = { kind: 'ADJUSTMENT' as const, tokens: 700, bucket: 'purchased' as const, actorId: userId, reason: 'goodwill' };
    const first = await fixture.ledger.credit(null, userId, request, { key: 'k-1', request });
    const second = await fixture.ledger.credit(null, userId, request, { key: 'k-1', request });
    expect(second).toEqual(JSON.parse(JSON.stringify(first)));
    expect(await entriesOf(userId, 'ADJUSTMENT')).toHaveLength(1);
    const other = { ...request, tokens: 701 };
    await expect(fixture.ledger.credit(null, userId, other, { key: 'k-1', request: other })).rejects.toBeInstanceOf(IdempotencyConflictError);
  });

  it('applies a key raced by many requests once', async () => {
    const userId = await fixture.createUser();
    const request = { kind: 'ADJUSTMENT' as const, tokens: 10, bucket: 'purchased' as const, actorId: userId, reason: 'race' };
    await Promise.all(Array.from({ length: 20 }, () => fixture.ledger.credit(null, userId, request, { key: 'race', request })));
    expect((await fixture.ledger.usage(userId)).balances.purchasedTokens).toBe(10);
  });
});

describe('corrections', () => {
  it('refuses to remove more tokens than the account holds', async () => {
    const userId = await fixture.createUser();
    await expect(fixture.ledger.debit(userId, { tokens: 100_001, actorId: userId, reason: 'too much' })).rejects.toBeInstanceOf(
      InsufficientTokensError,
    );
    await fixture.ledger.debit(userId, { tokens: 1_000, actorId: userId, reason: 'correction' });
    const [entry] = await entriesOf(userId, 'ADJUSTMENT');
    expect(entry).toMatchObject({ actorId: userId, reason: 'correction', capacityDelta: -1_000 });
  });
});

describe('the monthly reset', () => {
  it('happens at 00:00 KST on the 1st and carries overage into the new month', async () => {
    const local = await createLedgerFixture(new Date('2026-11-30T14:59:59.000Z'));
    try {
      const userId = await local.createUser();
      await local.ledger.setUsagePercent(userId, 104, userId);
      expect((await local.ledger.usage(userId)).period.key).toBe('2026-11');
      local.clock.set(new Date('2026-11-30T15:00:00.000Z'));
      const { usage, period } = await local.ledger.usage(userId);
      expect(period.key).toBe('2026-12');
      expect(usage).toMatchObject({ consumedTokens: 4_000, capacityTokens: 100_000, remainingTokens: 96_000, level: 'NORMAL' });
      expect(await local.ledger.verify(userId)).toEqual([]);
    } finally {
      await local.close();
    }
  });

  it('happens exactly once when 200 requests are the first of the month together', async () => {
    const local = await createLedgerFixture(new Date('2026-11-20T00:00:00.000Z'));
    try {
      const userId = await local.createUser();
      await local.ledger.setUsagePercent(userId, 30, userId);
      local.clock.set(new Date('2026-12-01T00:00:00.000Z'));
      await Promise.all(Array.from({ length: 200 }, () => local.ledger.usage(userId)));
      const grants = await local.database.db
        .select()
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.userId, userId), eq(ledgerEntries.kind, 'MONTHLY_GRANT'), eq(ledgerEntries.periodKey, '2026-12')));
      expect(grants).toHaveLength(1);
      expect(await entriesOf(userId, 'FREE_EXPIRY', local)).toHaveLength(1);
      expect((await local.ledger.usage(userId)).balances).toMatchObject({ freeTokens: 100_000, periodConsumedTokens: 0 });
    } finally {
      await local.close();
    }
  });

  it('reaches accounts nobody touched through the reset sweep', async () => {
    const local = await createLedgerFixture(new Date('2026-11-20T00:00:00.000Z'));
    try {
      const userId = await local.createUser();
      local.clock.set(new Date('2027-01-05T00:00:00.000Z'));
      expect(await local.ledger.resetStaleAccounts()).toBe(1);
      expect(await local.ledger.resetStaleAccounts()).toBe(0);
      expect(await entriesOf(userId, 'MONTHLY_GRANT', local)).toHaveLength(2);
    } finally {
      await local.close();
    }
  });
});

describe('concurrency on one account', () => {
  it('200 concurrent reserve + settle starting at 100 % never end above 105 % and lose nothing', async () => {
    const userId = await fixture.createUser();
    await fixture.ledger.setUsagePercent(userId, 100, userId);
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, async (_, index) => {
        try {
          const hold = await fixture.ledger.reserve(userId, { tokens: 100, purpose: 'concurrency' });
          const charged = 50 + (index % 51);
          await fixture.ledger.settle(hold.holdId, charged);
          return charged;
        } catch (error) {
          if (error instanceof TokenExhaustedError) return 0;
          throw error;
        }
      }),
    );
    const charged = outcomes.reduce((sum, value) => sum + value, 0);
    const { balances, usage } = await fixture.ledger.usage(userId);
    expect(balances.periodConsumedTokens).toBe(100_000 + charged);
    expect(balances.periodConsumedTokens).toBeLessThanOrEqual(105_000);
    expect(balances.heldTokens).toBe(0);
    expect(outcomes.filter((value) => value > 0).length).toBeGreaterThanOrEqual(50);
    expect(usage.usagePercent).toBeLessThanOrEqual(105);
    expect(await entriesOf(userId, 'CONSUMPTION')).toHaveLength(outcomes.filter((value) => value > 0).length);
    expect(await fixture.ledger.verify(userId)).toEqual([]);
  });
});

describe('any sequence of ledger operations', () => {
  type Operation =
    | { kind: 'grant' | 'purchase'; tokens: number }
    | { kind: 'debit'; tokens: number }
    | { kind: 'hold'; tokens: number; outcome: 'settle' | 'void' | 'expire' | 'open'; charged: number }
    | { kind: 'usage'; percent: number }
    | { kind: 'month' }
    | { kind: 'expire-sweep' };

  const operation: fc.Arbitrary<Operation> = fc.oneof(
    fc.record({ kind: fc.constantFrom('grant' as const, 'purchase' as const), tokens: fc.integer({ min: 1, max: 50_000 }) }),
    fc.record({ kind: fc.constant('debit' as const), tokens: fc.integer({ min: 1, max: 50_000 }) }),
    fc.record({
      kind: fc.constant('hold' as const),
      tokens: fc.integer({ min: 1, max: 20_000 }),
      outcome: fc.constantFrom('settle' as const, 'void' as const, 'expire' as const, 'open' as const),
      charged: fc.integer({ min: 0, max: 25_000 }),
    }),
    fc.record({ kind: fc.constant('usage' as const), percent: fc.integer({ min: 0, max: 110 }) }),
    fc.record({ kind: fc.constant('month' as const) }),
    fc.record({ kind: fc.constant('expire-sweep' as const) }),
  );

  it('keeps balances equal to the sum of the ledger with no bucket negative', async () => {
    const { ledger, clock } = fixture;
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
        const userId = await fixture.createUser();
        for (const op of operations) {
          try {
            if (op.kind === 'grant') await ledger.credit(null, userId, { kind: 'ADJUSTMENT', tokens: op.tokens, bucket: 'free', actorId: userId, reason: 'p' });
            if (op.kind === 'purchase') await ledger.credit(null, userId, { kind: 'PURCHASE', tokens: op.tokens, bucket: 'purchased' });
            if (op.kind === 'debit') await ledger.debit(userId, { tokens: op.tokens, actorId: userId, reason: 'p' });
            if (op.kind === 'usage') await ledger.setUsagePercent(userId, op.percent, userId);
            if (op.kind === 'month') clock.advance(31 * 24 * 3_600_000);
            if (op.kind === 'expire-sweep') await ledger.expireHolds();
            if (op.kind === 'hold') {
              const hold = await ledger.reserve(userId, { tokens: op.tokens, minimumTokens: 1, purpose: 'property' });
              if (op.outcome === 'settle') await ledger.settle(hold.holdId, op.charged);
              if (op.outcome === 'void') await ledger.voidHold(hold.holdId);
              if (op.outcome === 'expire') {
                clock.advance(fixture.config.holdTtlSeconds * 1_000 + 1);
                await ledger.expireHolds();
              }
            }
          } catch (error) {
            if (!(error instanceof TokenExhaustedError || error instanceof InsufficientTokensError || error instanceof HoldClosedError)) throw error;
          }
        }
        expect(await ledger.verify(userId)).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});

describe('the invariant check', () => {
  it('reports an account whose balance was changed outside the ledger', async () => {
    const userId = await fixture.createUser();
    await fixture.database.db.execute(sql`update token_accounts set purchased_tokens = purchased_tokens + 5 where user_id = ${userId}`);
    const [problem] = await fixture.ledger.verify(userId);
    expect(problem).toMatchObject({ userId, purchasedTokens: 5, ledgerPurchasedTokens: 0 });
  });

  it('is refused by the database when a bucket would go negative', async () => {
    const userId = await fixture.createUser();
    await expect(
      fixture.database.db.execute(sql`update token_accounts set free_tokens = -1 where user_id = ${userId}`),
    ).rejects.toThrow();
  });
});
