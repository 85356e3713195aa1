import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  applyDelta,
  balanceProblems,
  decideReservation,
  delta,
  evaluateUsage,
  forecastExhaustion,
  InsufficientBalanceError,
  periodOf,
  periodsBetween,
  planConsumption,
  planConsumptionReversal,
  planCredit,
  planDebit,
  planReset,
  planSettlement,
  type AccountBalances,
  type ConsumptionSplit,
  type CreditBucket,
  type ExhaustionForecast,
  type QuotaPeriod,
  type UsageEvaluation,
} from '@consult-on/quota-policy';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { Executor, Transaction } from '../database/database.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { IdempotencyService } from '../common/idempotency.js';
import {
  HoldClosedError,
  InsufficientTokensError,
  NotFoundError,
  TokenExhaustedError,
} from '../common/errors.js';
import { LevelChangeHub, type UsageSnapshot } from './level-change.js';
import { fillDays, seriesStart } from './usage-history.js';
import {
  LedgerRepository,
  type AccountRow,
  type AccountWrite,
  type AttachedWrite,
  type LockedHold,
  type NewHold,
  type NewLedgerEntry,
} from './ledger.repository.js';

export interface Idempotency {
  key: string;
  /** What the key was first used for; the same key with another request is a conflict. */
  request: unknown;
}

interface AccountContext {
  account: AccountRow;
  balances: AccountBalances;
  period: QuotaPeriod;
  now: Date;
  /** The hold the change was locked through (settle, void, expiry), locked after its account. */
  hold: LockedHold | null;
}

interface AccountChange<T> {
  entries: NewLedgerEntry[];
  result: T;
  /** Whether this change is the user's own activity (shown as "last active" to admins). */
  activity?: boolean;
  /** A hold to open with the change (reserve). */
  openHold?: NewHold;
  /** A hold to close with the change (settle, void, expiry), still in status `from`. */
  closeHold?: AccountWrite['closeHold'];
}

/** Which account a change locks: by its user, or through one of its holds. */
type ChangeTarget = { userId: string } | { holdId: string };

/** An optimistic change found the account changed under it (retry), or needs the locking path. */
const RETRY = Symbol('retry');
const NEEDS_LOCK = Symbol('needs-lock');
/** Optimistic attempts before a change falls back to locking the account row. */
const OPTIMISTIC_ATTEMPTS = 3;

export interface HoldView {
  holdId: string;
  tokens: number;
  expiresAt: string;
}

/**
 * A hold with the account as its reservation left it, so that settling it can skip the lock and
 * the read when nothing else changed the account meanwhile (the usual chat turn).
 */
export interface TurnReservation {
  hold: HoldView;
  /** The account right after the reservation; null when it was written under the lock. */
  account: AccountRow | null;
}

export interface SettlementView {
  holdId: string;
  chargedTokens: number;
  split: ConsumptionSplit;
  ledgerEntryId: number;
  balances: AccountBalances;
  usage: UsageEvaluation;
}

export class LedgerInvariantError extends Error {}

/** Days of usage behind the exhaustion forecast. */
const FORECAST_DAYS = 14;

/** Consumption entries averaged for a user's cost per turn. */
const RECENT_TURNS = 20;

/**
 * The only writer of token balances. A change brings the account into the current period (the
 * lazy monthly reset), appends ledger entries and stores the new balances in one statement —
 * under the account row's lock, or, on a chat turn's hot path, as a compare-and-swap on the
 * account's version — so balances always equal the sum of the ledger.
 */
@Injectable()
export class LedgerService {
  private readonly logger = new Logger(LedgerService.name);
  private lastPeriod: QuotaPeriod | null = null;

  constructor(
    private readonly repository: LedgerRepository,
    private readonly idempotency: IdempotencyService,
    private readonly levels: LevelChangeHub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private get policy() {
    return this.config.quota;
  }

  get purchaseUrl(): string {
    return `${this.config.publicUrl ?? ''}/purchase`;
  }

  /** The quota period `now` falls in; the last one is kept, since every ledger change asks. */
  currentPeriod(now = this.clock.now()): QuotaPeriod {
    const last = this.lastPeriod;
    if (last && now >= last.start && now < last.end) return last;
    return (this.lastPeriod = periodOf(now, this.policy.timeZone));
  }

  /** Creates the account of a new user with this period's free allowance, inside the caller's transaction. */
  async openAccount(tx: Executor, userId: string): Promise<void> {
    const now = this.clock.now();
    const period = this.currentPeriod(now);
    await this.repository.insertAccount(tx, userId, period.key);
    const allowance = this.policy.freeMonthlyTokens;
    const grant = delta({ freeTokens: allowance, periodCapacityTokens: allowance });
    await this.writeLocked(tx, {
      next: { userId, periodKey: period.key, ...grant, version: 0 },
      expectedVersion: null,
      entries: [{ kind: 'MONTHLY_GRANT', amountTokens: allowance, delta: grant }],
      touchActivity: false,
      now,
    });
  }

  /** The usage state of an account in the current period (resetting it first when a new period began). */
  async usage(userId: string): Promise<{ balances: AccountBalances; usage: UsageEvaluation; period: QuotaPeriod }> {
    const period = this.currentPeriod();
    let account = await this.repository.findAccount(userId);
    if (!account) throw new NotFoundError();
    if (account.periodKey !== period.key) {
      account = await this.change({ userId }, null, async ({ account: current }) => ({ entries: [], result: current }));
    }
    return { balances: account, usage: await this.evaluateForUser(userId, account), period };
  }

  /**
   * Holds up to `tokens` for work in flight. With `minimumTokens`, a smaller hold is granted when
   * only that much fits under the hard limit; otherwise the request is refused with TOKEN_EXHAUSTED.
   */
  async reserve(
    userId: string,
    request: { tokens: number; minimumTokens?: number; purpose: string },
    idempotency: Idempotency | null = null,
  ): Promise<HoldView> {
    return (await this.reserveWithAccount(userId, request, idempotency)).hold;
  }

  /**
   * Refuses with TOKEN_EXHAUSTED when a reservation of `minimumTokens` would be refused, writing
   * nothing: one read, so that a request is turned away before work that costs (counting a long
   * message). The reservation still decides; an account a new period would reset is left to it.
   */
  async assertCanReserve(userId: string, minimumTokens: number): Promise<void> {
    const account = await this.repository.findAccount(userId);
    if (!account || account.periodKey !== this.currentPeriod().key) return;
    if (!decideReservation(account, minimumTokens, this.policy, minimumTokens).allowed) throw this.exhausted(account);
  }

  private exhausted(balances: AccountBalances): TokenExhaustedError {
    const usage = evaluateUsage(balances, this.policy);
    return new TokenExhaustedError(Math.max(0, usage.remainingTokens), usage.usagePercent, this.purchaseUrl);
  }

  /** `reserve` that also returns the account it left, for `settle` to start from. */
  async reserveWithAccount(
    userId: string,
    request: { tokens: number; minimumTokens?: number; purpose: string },
    idempotency: Idempotency | null = null,
  ): Promise<TurnReservation> {
    const operation = async ({ balances, now }: AccountContext): Promise<AccountChange<HoldView>> => {
      const decision = decideReservation(balances, request.tokens, this.policy, request.minimumTokens);
      if (!decision.allowed) throw this.exhausted(balances);
      const expiresAt = new Date(now.getTime() + this.config.holdTtlSeconds * 1_000);
      const holdId = randomUUID();
      return {
        entries: [{ kind: 'HOLD', amountTokens: decision.tokens, delta: delta({ heldTokens: decision.tokens }), holdId }],
        result: { holdId, tokens: decision.tokens, expiresAt: expiresAt.toISOString() },
        activity: true,
        openHold: { id: holdId, tokens: decision.tokens, purpose: request.purpose, expiresAt },
      };
    };
    // The hot path of every chat turn: one read and one compare-and-swap write, no transaction.
    if (!idempotency) {
      for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt += 1) {
        const outcome = await this.changeOptimistically(userId, operation);
        if (outcome === NEEDS_LOCK) break;
        if (outcome !== RETRY) return { hold: outcome.result, account: outcome.account };
      }
    }
    return { hold: await this.change({ userId }, idempotency, operation), account: null };
  }

  /**
   * Releases a hold and charges what the work really consumed (purchased first, by default).
   * A hold that expired meanwhile is charged too (without releasing it twice); a settled or
   * voided one is refused. Locks the account, in the caller's transaction when given (PGlite has
   * one connection: a query outside the open transaction would wait for it forever).
   */
  async settle(holdId: string, consumedTokens: number, metadata: Record<string, unknown> = {}, tx: Transaction | null = null): Promise<SettlementView> {
    return this.change({ holdId }, null, this.settlement(holdId, consumedTokens, metadata), tx);
  }

  /**
   * The chat turn's settlement: one compare-and-swap statement with no lock, no read and no
   * transaction, which also makes the caller's own writes (`attach`, given the planned split) so
   * that both happen or neither does. It applies only while the account is still as the
   * reservation left it — then the hold is still open, since every change of a hold bumps its
   * account's version. Null when it is not, or when the settlement moves the usage level (its
   * listeners write in a transaction): the caller then settles with `settle` in a transaction.
   */
  async settleFromReservation(
    reservation: TurnReservation,
    consumedTokens: number,
    metadata: Record<string, unknown> = {},
    attach?: (split: ConsumptionSplit) => AttachedWrite,
  ): Promise<{ settlement: SettlementView; attached: Record<string, unknown> | null } | null> {
    const account = reservation.account;
    if (!account) return null;
    let planned: ConsumptionSplit | null = null;
    const holdId = reservation.hold.holdId;
    const operation = this.settlement(holdId, consumedTokens, metadata, (split) => (planned = split));
    const known = { account, hold: { id: holdId, tokens: reservation.hold.tokens, status: 'OPEN' as const } };
    const outcome = await this.changeOptimistically(account.userId, operation, { known, attach: attach && (() => attach(planned!)) });
    if (outcome === RETRY || outcome === NEEDS_LOCK) return null;
    return { settlement: outcome.result, attached: outcome.attached };
  }

  private settlement(
    holdId: string,
    consumedTokens: number,
    metadata: Record<string, unknown>,
    onPlanned: (split: ConsumptionSplit) => void = () => {},
  ): (context: AccountContext) => Promise<AccountChange<(entryIds: number[]) => SettlementView>> {
    if (!Number.isSafeInteger(consumedTokens) || consumedTokens < 0) {
      throw new RangeError(`consumed tokens must be a non-negative integer, got ${consumedTokens}`);
    }
    return async ({ balances, hold }) => {
      const locked = hold!;
      // A turn that outlived its hold's TTL is still charged; the expiry already released the hold.
      if (locked.status !== 'OPEN' && locked.status !== 'EXPIRED') throw new HoldClosedError();
      const release = locked.status === 'OPEN' ? locked.tokens : 0;
      const settlement = planSettlement(balances, release, consumedTokens, this.policy.consumptionOrder);
      onPlanned(settlement.split);
      const after = applyDelta(balances, settlement.delta);
      return {
        entries: [{ kind: 'CONSUMPTION', amountTokens: consumedTokens, delta: settlement.delta, holdId, metadata }],
        closeHold: { id: holdId, from: locked.status, status: 'SETTLED' },
        result: (entryIds: number[]) => ({
          holdId,
          chargedTokens: consumedTokens,
          split: settlement.split,
          ledgerEntryId: entryIds[0]!,
          balances: after,
          usage: evaluateUsage(after, this.policy),
        }),
        activity: true,
      };
    };
  }

  /** The usage of these balances with the user's own recent cost per turn behind the estimates. */
  async evaluateForUser(userId: string, balances: AccountBalances): Promise<UsageEvaluation> {
    const average = await this.repository.averageConsumption(this.repository.db, userId, RECENT_TURNS);
    return evaluateUsage(balances, this.policy, average);
  }

  /** Releases a hold without charging anything (the model failed, the client left before any output). */
  async voidHold(holdId: string): Promise<void> {
    await this.closeWithoutCharge(holdId, 'VOIDED');
  }

  /** Expires holds whose TTL passed (their process crashed or never settled); returns how many. */
  async expireHolds(limit = 500): Promise<number> {
    const expired = await this.repository.findExpiredHolds(this.repository.db, this.clock.now(), limit);
    let count = 0;
    for (const hold of expired) {
      try {
        await this.closeWithoutCharge(hold.id, 'EXPIRED');
        count += 1;
      } catch (error) {
        // Settled or voided between the scan and the lock: nothing left to expire.
        if (!(error instanceof HoldClosedError)) throw error;
      }
    }
    if (count > 0) this.logger.log({ message: 'expired holds', count });
    return count;
  }

  /** Moves accounts that nobody touched since a new period began into it; returns how many. */
  async resetStaleAccounts(limit = 500): Promise<number> {
    const stale = await this.repository.findStaleAccounts(this.repository.db, this.currentPeriod().key, limit);
    for (const userId of stale) {
      await this.change({ userId }, null, async () => ({ entries: [], result: null }));
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
    return this.change(
      { userId },
      idempotency,
      async ({ balances }) => {
        const change = planCredit(balances, request.tokens, request.bucket);
        return this.withUsage(balances, {
          kind: request.kind,
          amountTokens: request.tokens,
          delta: change,
          paymentId: request.paymentId,
          actorId: request.actorId,
          reason: request.reason,
          metadata: { bucket: request.bucket },
        });
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
    return this.change({ userId }, idempotency, async ({ balances }) =>
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
   * Takes back the tokens of a refunded payment, as far as they are still there: tokens already
   * consumed cannot be recovered and are recorded as such.
   */
  async refundPayment(tx: Transaction, userId: string, paymentId: string, tokens: number) {
    return this.change(
      { userId },
      null,
      async ({ balances }) => {
        // Only purchased tokens still unspent come back; the free allowance is not the provider's to take.
        const recoverable = Math.min(tokens, balances.purchasedTokens);
        const entries: NewLedgerEntry[] =
          recoverable > 0
            ? [
                {
                  kind: 'REFUND',
                  amountTokens: recoverable,
                  delta: planDebit(balances, recoverable),
                  paymentId,
                  metadata: { refundedTokens: tokens, unrecoveredTokens: tokens - recoverable },
                },
              ]
            : [];
        return { entries, result: { recoveredTokens: recoverable } };
      },
      tx,
    );
  }

  /** Sets the account to a usage percent of its capacity: the report's test scenario, never in production. */
  async setUsagePercent(userId: string, usagePercent: number, actorId: string) {
    return this.change({ userId }, null, async ({ balances }) => {
      const target = Math.round((balances.periodCapacityTokens * usagePercent) / 100);
      const difference = target - balances.periodConsumedTokens;
      if (difference === 0) return this.withUsage(balances);
      const change =
        difference > 0
          ? planConsumption(balances, difference, this.policy.consumptionOrder).delta
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

  /** Tokens consumed per local day over the last `days` days, oldest first, zeros included. */
  async dailyUsage(userId: string, days: number): Promise<{ day: string; tokens: number }[]> {
    const now = this.clock.now();
    const timeZone = this.policy.timeZone;
    const rows = await this.repository.dailyConsumption(this.repository.db, userId, seriesStart(now, days, timeZone), timeZone);
    return fillDays(rows, now, days, timeZone);
  }

  /** When the account should reach 100 % and 105 % at its burn rate of the last two weeks. */
  async forecast(userId: string, balances: AccountBalances): Promise<ExhaustionForecast> {
    const now = this.clock.now();
    const daily = await this.dailyUsage(userId, FORECAST_DAYS);
    const usage = evaluateUsage(balances, this.policy);
    return forecastExhaustion({
      consumedTokens: usage.consumedTokens,
      capacityTokens: usage.capacityTokens,
      hardLimitTokens: usage.hardLimitTokens,
      dailyTokens: daily.map((day) => day.tokens),
      now,
      resetAt: this.currentPeriod(now).end,
    });
  }

  /** Admin adjustments of the account, newest first, with actor and reason. */
  async adjustments(userId: string) {
    return this.repository.listAdjustments(this.repository.db, userId, 100);
  }

  async history(userId: string, page: { limit: number; beforeId?: number }) {
    return this.repository.listEntries(this.repository.db, userId, page);
  }

  /** Accounts whose balances differ from their ledger or hold a negative bucket. */
  async verify(userId?: string) {
    return this.repository.findUnbalancedAccounts(this.repository.db, userId);
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
    return { entries: entry ? [entry] : [], result: { usage: evaluateUsage(after, this.policy) } };
  }

  private async closeWithoutCharge(holdId: string, status: 'VOIDED' | 'EXPIRED') {
    await this.change({ holdId }, null, async ({ hold }) => {
      const open = hold!;
      if (open.status !== 'OPEN') throw new HoldClosedError();
      return {
        entries: [
          {
            kind: status === 'VOIDED' ? 'HOLD_VOID' : 'HOLD_EXPIRY',
            amountTokens: open.tokens,
            delta: delta({ heldTokens: -open.tokens }),
            holdId,
          },
        ],
        closeHold: { id: holdId, from: 'OPEN', status },
        result: null,
      };
    });
  }

  /**
   * Runs one change of an account in a transaction (the caller's, when given): lock (the account,
   * or a hold and its account), reset into the current period if needed, replay or record the
   * idempotency key, assert the invariants, then write the balances, entries and hold in one
   * statement. A result that is a function receives the ids of the appended entries.
   */
  private async change<T>(
    target: ChangeTarget,
    idempotency: Idempotency | null,
    operation: (context: AccountContext) => Promise<AccountChange<T | ((entryIds: number[]) => T)>>,
    outerTx: Transaction | null = null,
  ): Promise<T> {
    const run = async (tx: Transaction): Promise<T> => {
      const now = this.clock.now();
      const period = this.currentPeriod(now);
      let locked: AccountRow;
      let hold: LockedHold | null = null;
      if ('holdId' in target) {
        const found = await this.repository.lockAccountWithHold(tx, target.holdId);
        if (!found) throw new NotFoundError();
        ({ account: locked, hold } = found);
      } else {
        const found = await this.repository.lockAccount(tx, target.userId);
        if (!found) throw new NotFoundError();
        locked = found;
      }
      const userId = locked.userId;
      const account = await this.resetIntoPeriod(tx, locked, period, now);
      const apply = async (): Promise<T> => {
        const change = await operation({ account, balances: account, period, now, hold });
        const balances = this.balancesAfter(userId, account, change.entries);
        let entryIds: number[] = [];
        if (change.entries.length > 0 || change.activity || change.openHold || change.closeHold) {
          entryIds = await this.write(tx, this.writeOf(account, balances, change, now, null));
        }
        await this.announceLevelChange(tx, locked, balances, period.key, change.entries, now);
        return this.resultOf(change, entryIds);
      };
      if (!idempotency) return apply();
      return this.idempotency.run(tx, { ownerId: userId, scope: 'ledger', key: idempotency.key, request: idempotency.request }, apply);
    };
    return outerTx ? run(outerTx) : this.repository.db.transaction(run);
  }

  /**
   * The same change without the row lock: reads the account (unless `known` gives it), plans, and
   * writes in one statement that applies only if the account still has the version it was
   * planned from (compare-and-swap). RETRY when another change came first; NEEDS_LOCK when the
   * change needs the locking path: a monthly reset, or a level change, whose listeners write in
   * the change's transaction. `known` skips the read; `attach` adds the caller's
   * writes to the statement.
   */
  private async changeOptimistically<T>(
    userId: string,
    operation: (context: AccountContext) => Promise<AccountChange<T | ((entryIds: number[]) => T)>>,
    options: { known?: { account: AccountRow; hold: LockedHold | null }; attach?: (() => AttachedWrite) | undefined } = {},
  ): Promise<{ result: T; account: AccountRow; attached: Record<string, unknown> | null } | typeof RETRY | typeof NEEDS_LOCK> {
    const now = this.clock.now();
    const period = this.currentPeriod(now);
    const account = options.known?.account ?? (await this.repository.findAccount(userId));
    if (!account) throw new NotFoundError();
    if (account.periodKey !== period.key) return NEEDS_LOCK;
    const change = await operation({ account, balances: account, period, now, hold: options.known?.hold ?? null });
    const balances = this.balancesAfter(userId, account, change.entries);
    if (this.snapshot(account).level !== this.snapshot(balances).level) return NEEDS_LOCK;
    const write = this.writeOf(account, balances, change, now, account.version);
    const written = await this.repository.applyChange(this.repository.db, write, options.attach?.() ?? null);
    if (!written.applied) return RETRY;
    return { result: this.resultOf(change, written.entryIds), account: { ...write.next, version: written.version }, attached: written.attached };
  }

  private balancesAfter(userId: string, account: AccountBalances, entries: NewLedgerEntry[]): AccountBalances {
    let balances = account;
    for (const entry of entries) balances = applyDelta(balances, entry.delta);
    this.assertSound(userId, balances);
    return balances;
  }

  private writeOf(account: AccountRow, balances: AccountBalances, change: AccountChange<unknown>, now: Date, expectedVersion: number | null): AccountWrite {
    return {
      next: { ...account, ...balances },
      expectedVersion,
      entries: change.entries,
      touchActivity: change.activity ?? false,
      now,
      openHold: change.openHold ?? null,
      closeHold: change.closeHold ?? null,
    };
  }

  /** Writes a change under the account lock; returns the ids of its entries. */
  private async write(tx: Transaction, write: AccountWrite): Promise<number[]> {
    const result = await this.repository.applyChange(tx, write);
    if (!result.applied) throw new NotFoundError();
    return result.entryIds;
  }

  private resultOf<T>(change: AccountChange<T | ((entryIds: number[]) => T)>, entryIds: number[]): T {
    return typeof change.result === 'function' ? (change.result as (entryIds: number[]) => T)(entryIds) : (change.result as T);
  }

  private snapshot(balances: AccountBalances): UsageSnapshot {
    const usage = evaluateUsage(balances, this.policy);
    return { level: usage.level, usagePercent: usage.usagePercent, remainingTokens: usage.remainingTokens };
  }

  /** Tells listeners (notifications) when a change — or the reset before it — moved the usage level. */
  private async announceLevelChange(
    tx: Transaction,
    before: AccountRow,
    after: AccountBalances,
    periodKey: string,
    entries: NewLedgerEntry[],
    now: Date,
  ): Promise<void> {
    const previous = this.snapshot(before);
    const next = this.snapshot(after);
    if (previous.level === next.level) return;
    await this.levels.emit(tx, { userId: before.userId, periodKey, before: previous, after: next, causes: entries.map((entry) => entry.kind), now });
  }

  /** The lazy monthly reset: runs under the account lock, so it happens once however many requests race. */
  private async resetIntoPeriod(tx: Transaction, account: AccountRow, period: QuotaPeriod, now: Date): Promise<AccountRow> {
    const elapsed = periodsBetween(account.periodKey, period.key);
    if (elapsed <= 0) return account;
    const plan = planReset(account, this.policy.freeMonthlyTokens, elapsed);
    const entries: NewLedgerEntry[] = [];
    if (plan.expiry) {
      entries.push({ kind: 'FREE_EXPIRY', amountTokens: account.freeTokens, delta: plan.expiry, metadata: { expiredPeriod: account.periodKey } });
    }
    entries.push({
      kind: 'MONTHLY_GRANT',
      amountTokens: this.policy.freeMonthlyTokens,
      delta: plan.grant,
      metadata: { previousPeriod: account.periodKey, periodsElapsed: elapsed, carriedDebtTokens: plan.carriedDebtTokens },
    });
    let balances: AccountBalances = account;
    for (const entry of entries) balances = applyDelta(balances, entry.delta);
    this.assertSound(account.userId, balances);
    const next = { ...account, ...balances, periodKey: period.key };
    const version = await this.writeLocked(tx, { next, expectedVersion: null, entries, touchActivity: false, now });
    return { ...next, version };
  }

  /** Writes a change of an account this transaction holds (or just created), through the one ledger statement. */
  private async writeLocked(tx: Executor, write: AccountWrite): Promise<number> {
    const result = await this.repository.applyChange(tx, write);
    if (!result.applied) throw new LedgerInvariantError(`account ${write.next.userId} vanished under its own lock`);
    return result.version;
  }

  private assertSound(userId: string, balances: AccountBalances): void {
    const problems = balanceProblems(balances);
    if (problems.length > 0) {
      // A bug, never a user error: refuse to write books that do not balance.
      throw new LedgerInvariantError(`ledger invariant broken for ${userId}: ${problems.join('; ')}`);
    }
  }
}
