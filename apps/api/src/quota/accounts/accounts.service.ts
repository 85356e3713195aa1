import { Injectable } from '@nestjs/common';
import {
  applyDelta,
  evaluateUsage,
  InsufficientBalanceError,
  planConsumption,
  planConsumptionReversal,
  planCredit,
  planDebit,
  type AccountBalances,
  type CreditBucket,
  type QuotaPeriod,
  type UsageEvaluation,
} from '@consult-on/quota-policy';
import { InsufficientTokensError, NotFoundError } from '../../common/errors.js';
import type { Executor, Transaction } from '../../database/database.js';
import { LedgerRepository, type AccountRow, type NewLedgerEntry } from '../ledger/ledger.repository.js';
import { LedgerWriter, type AccountChange, type Idempotency } from '../ledger/ledger-writer.js';
import { UsageReadsService } from '../usage/usage-reads.service.js';
import { inPeriod, memberRoom } from '../members/member-limit.js';
import { MemberUsageRepository } from '../members/member-usage.repository.js';

/** The account row as services outside the quota domain see it (plan, balances, turns in flight). */
export type { AccountRow };

/** A token account's life outside chat turns: opening, its state, credits and debits, refunds, the test scenario. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly writer: LedgerWriter,
    private readonly repository: LedgerRepository,
    private readonly reads: UsageReadsService,
    private readonly members: MemberUsageRepository,
  ) {}

  /**
   * The account's balances in the current period (resetting it first when a new period began) and
   * their usage, without the user's own cost per turn behind the estimates: one read.
   */
  async balances(userId: string): Promise<{ balances: AccountRow; usage: UsageEvaluation }> {
    const account = await this.inCurrentPeriod(userId, this.writer.currentPeriod());
    return { balances: account, usage: evaluateUsage(account, this.writer.policy) };
  }

  /** The account with its plan, in the current period (one read, unless a new period began: then it is reset first). */
  current(userId: string): Promise<AccountRow> {
    return this.inCurrentPeriod(userId, this.writer.currentPeriod());
  }

  /** `current` of an organization's pool, for one of its members: NOT_FOUND when they do not belong (one read: membership and pool together). */
  currentForMember(organizationId: string, memberId: string): Promise<AccountRow> {
    return this.inCurrentPeriod(organizationId, this.writer.currentPeriod(), memberId);
  }

  /** The account as it is now, reset first when a new period began since it was last written; with `memberId`, a pool read only for its member. */
  private async inCurrentPeriod(userId: string, period: QuotaPeriod, memberId: string | null = null): Promise<AccountRow> {
    const account = memberId ? await this.writer.findPoolOfMember(userId, memberId) : await this.writer.findAccount(userId);
    if (!account) throw new NotFoundError();
    if (account.periodKey === period.key) return account;
    return this.writer.change({ userId }, null, async ({ account: current }) => ({ entries: [], result: current }));
  }

  /** Creates the account of a new user (or with `organizationId`, a new organization's pool) with this period's free allowance, inside the caller's transaction. */
  openAccount(tx: Executor, userId: string, organizationId: string | null = null): Promise<void> {
    return this.writer.openAccount(tx, userId, organizationId);
  }

  /** The current period's key (the quota's time zone). */
  currentPeriodKey(): string {
    return this.writer.currentPeriod().key;
  }

  /** The usage level and percent of figures read elsewhere (a list of accounts). */
  evaluate(figures: { periodConsumedTokens: number; periodCapacityTokens: number }): UsageEvaluation {
    return evaluateUsage({ freeTokens: 0, purchasedTokens: 0, debtTokens: 0, heldTokens: 0, ...figures }, this.writer.policy);
  }

  /** What the member's monthly limit leaves them of their organization's pool this period (Infinity without a limit; 0 when not a member). */
  async memberRoom(organizationId: string, userId: string): Promise<number> {
    const member = await this.members.find(this.repository.db, organizationId, userId);
    return member ? memberRoom(inPeriod(member, this.writer.currentPeriod().key)) : 0;
  }

  /** The usage state of an account in the current period (resetting it first when a new period began). */
  async usage(userId: string): Promise<{ balances: AccountRow; usage: UsageEvaluation; period: QuotaPeriod }> {
    const period = this.writer.currentPeriod();
    const account = await this.inCurrentPeriod(userId, period);
    return { balances: account, usage: await this.reads.evaluateForUser(userId, account), period };
  }

  /** Moves accounts that nobody touched since a new period began into it; returns how many. */
  async resetStaleAccounts(limit = 500): Promise<number> {
    const stale = await this.repository.findStaleAccounts(this.repository.db, this.writer.currentPeriod().key, limit);
    for (const userId of stale) {
      await this.writer.change({ userId }, null, async () => ({ entries: [], result: null }));
    }
    return stale.length;
  }

  /** Adds tokens: a purchase (with its payment) or an admin grant. */
  async credit(
    tx: Transaction | null,
    userId: string,
    request: { kind: 'PURCHASE' | 'ADJUSTMENT'; tokens: number; bucket: CreditBucket; paymentId?: string; actorId?: string; reason?: string },
    idempotency: Idempotency | null = null,
  ) {
    return this.writer.change(
      { userId },
      idempotency,
      async ({ balances }) => {
        const change = planCredit(balances, request.tokens, request.bucket);
        const credited = this.withUsage(balances, {
          kind: request.kind,
          amountTokens: request.tokens,
          delta: change,
          paymentId: request.paymentId,
          actorId: request.actorId,
          reason: request.reason,
          metadata: { bucket: request.bucket },
        });
        // Overage is repaid first: those tokens settle what was already used, the rest is added.
        return { ...credited, result: { ...credited.result, settledOverageTokens: -change.debtTokens } };
      },
      tx,
    );
  }

  /** Removes credited tokens: an admin correction. Refused when the buckets hold fewer tokens. */
  async debit(
    userId: string,
    request: { tokens: number; actorId: string; reason: string },
    idempotency: Idempotency | null = null,
  ) {
    return this.writer.change({ userId }, idempotency, async ({ balances }) =>
      this.withUsage(balances, {
        kind: 'ADJUSTMENT',
        amountTokens: request.tokens,
        delta: this.planDebitOrThrow(balances, request.tokens),
        actorId: request.actorId,
        reason: request.reason,
        metadata: { direction: 'debit' },
      }),
    );
  }

  /**
   * Takes back the purchased tokens of a refund, inside the caller's transaction. Only purchased
   * tokens still unspent come back: not the free allowance (not the provider's to take), not
   * tokens already consumed, not those open holds may still consume (a turn in flight settles from
   * purchased tokens first), and not `keep()` more (the unspent tokens of later orders, read under
   * the account's lock). A balance never goes negative. `exact` refuses when fewer than `tokens`
   * are there (an admin's refund: money is only returned for tokens taken back); otherwise as
   * many as are there are taken and the rest recorded as unrecovered (the provider already
   * returned the money). One entry per refund id, however often it is retried.
   */
  async refundPayment(
    tx: Transaction,
    userId: string,
    refund: { paymentId: string; refundId: string; tokens: number; exact: boolean; keep?: () => Promise<number> },
  ) {
    return this.writer.change(
      { userId },
      null,
      async ({ balances }) => {
        const kept = balances.heldTokens + (refund.keep ? await refund.keep() : 0);
        const recoverable = Math.max(0, Math.min(refund.tokens, balances.purchasedTokens - kept));
        if (refund.exact && recoverable < refund.tokens) throw new InsufficientTokensError();
        const entries: NewLedgerEntry[] =
          recoverable > 0
            ? [
                {
                  kind: 'REFUND',
                  amountTokens: recoverable,
                  delta: planDebit(balances, recoverable),
                  paymentId: refund.paymentId,
                  metadata: { refundId: refund.refundId, refundedTokens: refund.tokens, unrecoveredTokens: refund.tokens - recoverable },
                },
              ]
            : [];
        return { entries, result: { recoveredTokens: recoverable } };
      },
      tx,
    );
  }

  /** Gives back the tokens of a refund the provider refused: the refund did not happen. */
  async reverseRefund(tx: Transaction, userId: string, reversal: { paymentId: string; refundId: string; tokens: number }) {
    return this.writer.change(
      { userId },
      null,
      async ({ balances }) => ({
        entries: [
          {
            kind: 'REFUND_REVERSAL',
            amountTokens: reversal.tokens,
            delta: planCredit(balances, reversal.tokens, 'purchased'),
            paymentId: reversal.paymentId,
            metadata: { refundId: reversal.refundId },
          },
        ],
        result: null,
      }),
      tx,
    );
  }

  /** Sets the account to a usage percent of its capacity: the report's test scenario, never in production. */
  async setUsagePercent(userId: string, usagePercent: number, actorId: string) {
    return this.writer.change({ userId }, null, async ({ balances }) => {
      const target = Math.round((balances.periodCapacityTokens * usagePercent) / 100);
      const difference = target - balances.periodConsumedTokens;
      if (difference === 0) return this.withUsage(balances);
      const change =
        difference > 0
          ? planConsumption(balances, difference, this.writer.policy.consumptionOrder).delta
          : planConsumptionReversal(balances, -difference);
      return this.withUsage(balances, {
        kind: 'TEST_USAGE',
        amountTokens: Math.abs(difference),
        delta: change,
        actorId,
        reason: `test-usage ${usagePercent}%`,
      });
    });
  }

  private planDebitOrThrow(balances: AccountBalances, tokens: number) {
    try {
      return planDebit(balances, tokens);
    } catch (error) {
      if (error instanceof InsufficientBalanceError) throw new InsufficientTokensError();
      throw error;
    }
  }

  private withUsage(balances: AccountBalances, entry?: NewLedgerEntry): AccountChange<{ usage: UsageEvaluation }> {
    const after = entry ? applyDelta(balances, entry.delta) : balances;
    return { entries: entry ? [entry] : [], result: { usage: evaluateUsage(after, this.writer.policy) } };
  }

}
