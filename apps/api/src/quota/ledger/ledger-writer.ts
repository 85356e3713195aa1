import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  applyDelta,
  balanceProblems,
  delta,
  evaluateUsage,
  periodOf,
  periodsBetween,
  planReset,
  type AccountBalances,
  type QuotaPeriod,
} from '@consult-on/quota-policy';
import { CLOCK, type Clock } from '../../common/clock.js';
import { DomainError, NotFoundError } from '../../common/errors.js';
import { IdempotencyService } from '../../common/idempotency.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { Executor, Transaction } from '../../database/database.js';
import { FREE_PLAN_ID } from '../../config/plans-config.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { PlanCatalog } from '../../plans/plan-catalog.js';
import { planAtReset } from '../../plans/plan-rules.js';
import type { KeyUsage, KeyUsageChange, MemberUsage } from '../members/member-limit.js';
import { GroupCommit } from './group-commit.js';
import { LevelChangeHub, type UsageSnapshot } from './level-change.js';
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

export interface AccountContext {
  account: AccountRow;
  balances: AccountBalances;
  period: QuotaPeriod;
  now: Date;
  /** The hold the change was locked through (settle, void, expiry), locked after its account. */
  hold: LockedHold | null;
  /** The transaction holding the account's lock, for reads the change depends on; null on the compare-and-swap path. */
  tx: Transaction | null;
  /** A pool's change for a member's turn (a target's `memberId`, or the hold's member): their usage, read under the pool's lock; null when they do not belong. */
  member: MemberUsage | null;
  /**
   * The usage and limits of the API key whose turn it is (a target's `apiKeyId`, or the hold's
   * key), read with its row locked after the account's: only on the locking path of a change made
   * alone; null there when the key is gone. Undefined elsewhere (not read): there the statement
   * applies a key's change only while the key has no limits.
   */
  apiKey: KeyUsage | null | undefined;
}

export interface AccountChange<T> {
  entries: NewLedgerEntry[];
  result: T;
  /** Whether this change is the user's own activity (shown as "last active" to admins). */
  activity?: boolean;
  /** A hold to open with the change (reserve). */
  openHold?: NewHold;
  /** A hold to close with the change (settle, void, expiry), still in status `from`. */
  closeHold?: AccountWrite['closeHold'];
  /** The account's plan from this change on, and the one chosen for the next reset. */
  plan?: { planId: string; nextPlanId: string | null; planPaidThrough?: string | null };
  /** A member's usage of the pool as this change leaves it, written by the same statement (locking path only). */
  member?: { userId: string; usage: MemberUsage };
  /** Another table's writes made by the same statement (locking path; the compare-and-swap path takes them as `attach`). */
  attach?: AttachedWrite;
  /** What the change moves in an API key's usage, applied by the same statement. */
  apiKey?: KeyUsageChange;
}

/**
 * Which account a change locks: by its id (with `memberId`, an organization's pool and that
 * member's usage of it; with `apiKeyId`, the usage of an API key, locked too when the change runs
 * alone — a key with limits, `apiKeyLimited`, always does), or
 * through one of its holds (with the member whose turn it is and its key; with `poolId`, the
 * caller knows it is a hold of that pool, whose key has no limits).
 */
export type ChangeTarget = { userId: string; memberId?: string; apiKeyId?: string; apiKeyLimited?: boolean } | { holdId: string; poolId?: string };

/** A change's result computed from what its statement wrote: the ids of its entries, and the attached writes' columns. */
export type ResultOf<T> = (entryIds: number[], attached: Record<string, unknown> | null) => T;

/** An optimistic change found the account changed under it (retry), or needs the locking path. */
export const RETRY = Symbol('retry');
export const NEEDS_LOCK = Symbol('needs-lock');
/** Optimistic attempts before a change falls back to locking the account row. */
export const OPTIMISTIC_ATTEMPTS = 3;

export class LedgerInvariantError extends Error {}

/** The most changes of one pool written in one transaction (see `GroupCommit`). */
export const POOL_BATCH_MAX = 64;

/** A change of an organization's pool waiting for its batch. */
interface PoolChange {
  target: ChangeTarget;
  operation: (context: AccountContext) => Promise<AccountChange<unknown>>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The one writer of token balances. A change brings the account into the current period (the
 * lazy monthly reset), appends ledger entries and stores the new balances in one statement —
 * under the account row's lock (`change`), or, on a chat turn's hot path, as a compare-and-swap
 * on the account's version (`tryChange`) — so balances always equal the sum of the ledger. The
 * services beside it (holds, accounts) decide what a change is; only this class writes it.
 */
@Injectable()
export class LedgerWriter {
  private readonly logger = new Logger(LedgerWriter.name);
  private lastPeriod: QuotaPeriod | null = null;
  /** Members' turns on one pool, written in batches: the pool's row is locked once per batch (see `changePools`). */
  private readonly pools = new GroupCommit<PoolChange>((poolId, changes) => this.changePools(poolId, changes), POOL_BATCH_MAX);

  constructor(
    private readonly repository: LedgerRepository,
    private readonly idempotency: IdempotencyService,
    private readonly levels: LevelChangeHub,
    private readonly plans: PlanCatalog,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  get policy() {
    return this.config.quota;
  }

  /** The account as it is now, read outside any transaction (see `LedgerRepository.findAccount`). */
  findAccount(userId: string): Promise<AccountRow | null> {
    return this.repository.findAccount(userId);
  }

  /** An organization's pool as it is now, when `memberId` belongs to it (one read, outside any transaction); null otherwise. */
  findPoolOfMember(organizationId: string, memberId: string): Promise<AccountRow | null> {
    return this.repository.findPoolOfMember(organizationId, memberId);
  }

  /** Tokens this period's allowance came to so far (its monthly grant and upgrades), read under the account's lock. */
  allowanceGranted(tx: Transaction, account: AccountRow): Promise<number> {
    return this.repository.allowanceGranted(tx, account.userId, account.periodKey);
  }

  /** The quota period `now` falls in; the last one is kept, since every ledger change asks. */
  currentPeriod(now = this.clock.now()): QuotaPeriod {
    const last = this.lastPeriod;
    if (last && now >= last.start && now < last.end) return last;
    return (this.lastPeriod = periodOf(now, this.policy.timeZone));
  }

  /**
   * Creates an account on the free plan with this period's allowance, inside the caller's
   * transaction: a new user's, or with `organizationId` (its id) a new organization's pool.
   */
  async openAccount(tx: Executor, userId: string, organizationId: string | null = null): Promise<void> {
    const now = this.clock.now();
    const period = this.currentPeriod(now);
    await this.repository.insertAccount(tx, userId, period.key, FREE_PLAN_ID, organizationId);
    const allowance = (await this.plans.limitsIn(tx, FREE_PLAN_ID)).monthlyTokens;
    const grant = delta({ freeTokens: allowance, periodCapacityTokens: allowance });
    await this.writeLocked(tx, {
      next: { userId, organizationId, periodKey: period.key, ...grant, planId: FREE_PLAN_ID, nextPlanId: null, planPaidThrough: null, openHolds: 0, version: 0 },
      previousOpenHolds: 0,
      expectedVersion: null,
      entries: [{ kind: 'MONTHLY_GRANT', amountTokens: allowance, delta: grant }],
      touchActivity: false,
      now,
    });
  }

  /**
   * Runs one change of an account in a transaction (the caller's, when given): lock (the account,
   * or a hold and its account), reset into the current period if needed, replay or record the
   * idempotency key, assert the invariants, then write the balances, entries and hold in one
   * statement. A result that is a function receives the ids of the appended entries.
   */
  async change<T>(
    target: ChangeTarget,
    idempotency: Idempotency | null,
    operation: (context: AccountContext) => Promise<AccountChange<T | ResultOf<T>>>,
    outerTx: Transaction | null = null,
  ): Promise<T> {
    // A member's turn on a pool (in no transaction of the caller's): with the others of the moment.
    const pool = !outerTx && !idempotency ? poolOf(target) : null;
    if (pool) {
      return new Promise<T>((resolve, reject) =>
        this.pools.add(pool, { target, operation: operation as PoolChange['operation'], resolve: resolve as PoolChange['resolve'], reject }),
      );
    }
    return this.changeAlone(target, idempotency, operation, outerTx);
  }

  private async changeAlone<T>(
    target: ChangeTarget,
    idempotency: Idempotency | null,
    operation: (context: AccountContext) => Promise<AccountChange<T | ResultOf<T>>>,
    outerTx: Transaction | null,
  ): Promise<T> {
    const run = async (tx: Transaction): Promise<T> => {
      const now = this.clock.now();
      const period = this.currentPeriod(now);
      let locked: AccountRow;
      let hold: LockedHold | null = null;
      let member: MemberUsage | null = null;
      if ('holdId' in target) {
        const found = await this.repository.lockAccountWithHold(tx, target.holdId);
        if (!found) throw new NotFoundError();
        ({ account: locked, hold } = found);
        // A member's turn in a pool: their usage, read once the pool is locked.
        if (hold.memberId) member = await this.repository.memberOfLockedPool(tx, locked.userId, hold.memberId);
      } else if (target.memberId) {
        const found = await this.repository.lockPoolWithMember(tx, target.userId, target.memberId);
        if (!found) throw new NotFoundError();
        ({ account: locked, member } = found);
      } else {
        const found = await this.repository.lockAccount(tx, target.userId);
        if (!found) throw new NotFoundError();
        locked = found;
      }
      // An API key's usage, locked after its account (a key that is gone counts nothing more).
      const keyId = 'holdId' in target ? hold?.apiKeyId : target.apiKeyId;
      const apiKey = keyId ? await this.repository.lockApiKey(tx, keyId) : undefined;
      const userId = locked.userId;
      const account = await this.resetIntoPeriod(tx, locked, period, now);
      const apply = async (): Promise<T> => {
        const change = await operation({ account, balances: account, period, now, hold, tx, member, apiKey });
        const balances = this.balancesAfter(userId, account, change.entries);
        let written: { entryIds: number[]; attached: Record<string, unknown> | null } = { entryIds: [], attached: null };
        if (writes(change)) {
          written = await this.write(tx, this.writeOf(account, balances, change, now, null), change.attach ?? null);
        }
        await this.announceLevelChange(tx, locked, balances, period.key, change.entries, now);
        return this.resultOf(change, written.entryIds, written.attached);
      };
      if (!idempotency) return apply();
      return this.idempotency.run(tx, { ownerId: userId, scope: 'ledger', key: idempotency.key, request: idempotency.request }, apply);
    };
    return outerTx ? run(outerTx) : this.repository.db.transaction(run);
  }

  /**
   * Writes a batch of changes of one organization's pool (members' reservations, settlements and
   * voids) in one transaction: the pool's row is locked once, the holds and the members' usage read
   * by one statement, then each change is planned on the account as the one before it left
   * it — settlements and voids first — and written: those without another table's writes together
   * by one statement (`applyChanges`), one with them (a turn's messages) by its own, as `change`
   * would write it alone. A change its operation refuses (a DomainError: a limit reached) is
   * refused alone; the results are given only once the transaction committed. Should the transaction fail, every change of the batch runs again
   * alone. A hold not found on the pool (the caller's guess was wrong) runs alone too.
   */
  private async changePools(poolId: string, changes: PoolChange[]): Promise<void> {
    const outcomes: Array<() => void> = [];
    const alone: PoolChange[] = [];
    // Set once the transaction's work is done: a failure after it is the COMMIT's, whose outcome is unknown.
    let planned = false;
    try {
      await this.repository.db.transaction(async (tx) => {
        outcomes.length = 0;
        alone.length = 0;
        let refused = false;
        const now = this.clock.now();
        const period = this.currentPeriod(now);
        const locked = await this.repository.lockAccount(tx, poolId);
        if (!locked) {
          alone.push(...changes);
          return;
        }
        let account = await this.resetIntoPeriod(tx, locked, period, now);
        let levelFrom: AccountRow = locked;
        // By the database's spelling of a uuid (lower case): the maps below are keyed by what it returns.
        const holdIds = changes.flatMap(({ target }) => ('holdId' in target ? [target.holdId.toLowerCase()] : []));
        const memberIds = [...new Set(changes.flatMap(({ target }) => ('memberId' in target && target.memberId ? [target.memberId.toLowerCase()] : [])))];
        const { holds, members } = await this.repository.holdsAndMembersOfLockedPool(tx, poolId, holdIds, memberIds);
        // Changes without another table's writes wait here to be written together, in order.
        const pending: Array<{ change: PoolChange; planned: AccountChange<unknown>; write: AccountWrite; from: AccountRow; balances: AccountBalances }> = [];
        const flush = async () => {
          if (pending.length === 0) return;
          const members = new Map<string, NonNullable<AccountWrite['member']>>();
          for (const { write } of pending) if (write.member) members.set(write.member.userId, write.member);
          const keys = new Map<string, KeyUsageChange>();
          for (const { write } of pending) if (write.apiKey) keys.set(write.apiKey.id, sumKeyChanges(keys.get(write.apiKey.id), write.apiKey));
          const written = await this.repository.applyChanges(tx, {
            next: pending[pending.length - 1]!.write.next,
            previousOpenHolds: pending[0]!.write.previousOpenHolds,
            entries: pending.flatMap(({ write }) => write.entries),
            touchActivity: pending.some(({ write }) => write.touchActivity),
            now,
            openHolds: pending.flatMap(({ write }) => (write.openHold ? [write.openHold] : [])),
            closeHolds: pending.flatMap(({ write }) => (write.closeHold ? [write.closeHold] : [])),
            members: [...members.values()],
            // In one order (the key's id) whoever writes several keys: no two transactions lock them crosswise.
            apiKeys: [...keys.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
          });
          account = { ...account, version: written.version };
          let offset = 0;
          for (const { change, planned, write, from, balances } of pending) {
            const entryIds = written.entryIds.slice(offset, offset + write.entries.length);
            offset += write.entries.length;
            await this.announceLevelChange(tx, from, balances, period.key, planned.entries, now);
            const result = this.resultOf(planned, entryIds, null);
            outcomes.push(() => change.resolve(result));
          }
          pending.length = 0;
        };
        // Settlements and voids first (the room they release is the reservations'), each kind in the order it came.
        const ordered = [...changes.filter(({ target }) => 'holdId' in target), ...changes.filter(({ target }) => !('holdId' in target))];
        for (const change of ordered) {
          const { target } = change;
          let hold: LockedHold | null = null;
          let member: MemberUsage | null;
          if ('holdId' in target) {
            hold = holds.get(target.holdId.toLowerCase()) ?? null;
            // Not this pool's (a wrong guess), or its key has limits now (set after the turn began): checked alone, on the key's row.
            if (!hold || hold.apiKeyLimited) {
              alone.push(change);
              continue;
            }
            member = hold.memberId ? (members.get(hold.memberId) ?? null) : null;
          } else {
            member = members.get(target.memberId!.toLowerCase()) ?? null;
            if (!member) {
              outcomes.push(() => change.reject(new NotFoundError()));
              continue;
            }
          }
          let planned: AccountChange<unknown>;
          try {
            planned = await change.operation({ account, balances: account, period, now, hold, tx, member, apiKey: undefined });
          } catch (error) {
            // A refusal (a limit reached, a hold closed) is this change's alone; anything else
            // (a failed statement leaves the transaction unusable) loses the batch.
            if (!(error instanceof DomainError)) throw error;
            refused = true;
            outcomes.push(() => change.reject(error));
            continue;
          }
          const balances = this.balancesAfter(poolId, account, planned.entries);
          const write = this.writeOf(account, balances, planned, now, null);
          const from = levelFrom;
          account = write.next;
          levelFrom = account;
          if (hold && planned.closeHold) holds.set(hold.id, { ...hold, status: planned.closeHold.status });
          if (planned.member) members.set(planned.member.userId, planned.member.usage);
          if (!writes(planned)) {
            await this.announceLevelChange(tx, from, balances, period.key, planned.entries, now);
            const result = this.resultOf(planned, [], null);
            outcomes.push(() => change.resolve(result));
          } else if (!planned.attach) {
            pending.push({ change, planned, write, from, balances });
          } else {
            // Another table's writes (a turn's messages) go with their own statement, after what was planned before them.
            await flush();
            const written = await this.write(tx, write, planned.attach);
            account = { ...account, version: written.version };
            await this.announceLevelChange(tx, from, balances, period.key, planned.entries, now);
            const result = this.resultOf(planned, written.entryIds, written.attached);
            outcomes.push(() => change.resolve(result));
          }
        }
        await flush();
        // A reset whose level change no written change announced (every one refused) is announced alone.
        if (levelFrom === locked && account !== locked) await this.announceLevelChange(tx, locked, account, period.key, [], now);
        // A refusal taken for one while a statement had failed would let COMMIT roll back in silence: one more statement says.
        if (refused) await this.repository.ping(tx);
        planned = true;
      });
    } catch (error) {
      outcomes.length = 0;
      alone.length = 0;
      if (planned) {
        // The COMMIT did not answer: the batch may or may not be written. Nothing is run again (a
        // reservation twice would hold twice); each caller is told, as a change alone would be.
        this.logger.error({ message: "a batch of a pool's changes may not have been committed", poolId, changes: changes.length, error: String(error) });
        this.metrics.poolBatches.inc({ result: 'unknown' });
        for (const change of changes) change.reject(error);
        return;
      }
      // The batch is lost (a statement failed, an invariant broke): each change is tried alone, and fails alone.
      this.logger.warn({ message: "a batch of a pool's changes failed; each runs alone", poolId, changes: changes.length, error: String(error) });
      this.metrics.poolBatches.inc({ result: 'lost' });
      alone.push(...changes);
    }
    if (alone.length < changes.length) {
      this.metrics.poolBatches.inc({ result: 'committed' });
      this.metrics.poolBatchedChanges.inc(changes.length - alone.length);
    }
    for (const outcome of outcomes) outcome();
    // One after the other (a lost batch does not open 64 transactions at once), without holding up the next batch.
    if (alone.length > 0) {
      void (async () => {
        for (const change of alone) await this.changeAlone(change.target, null, change.operation, null).then(change.resolve, change.reject);
      })();
    }
  }

  /**
   * `change` without the row lock: reads the account (unless `known` gives it), plans, and
   * writes in one statement that applies only if the account still has the version it was
   * planned from (compare-and-swap). RETRY when another change came first; NEEDS_LOCK when the
   * change needs the locking path: a monthly reset, or a level change, whose listeners write in
   * the change's transaction. `known` skips the read; `attach` adds another table's writes
   * (plain data) to the statement.
   */
  async tryChange<T>(
    userId: string,
    operation: (context: AccountContext) => Promise<AccountChange<T | ResultOf<T>>>,
    options: { known?: { account: AccountRow; hold: LockedHold | null }; attach?: AttachedWrite | null } = {},
  ): Promise<{ result: T; account: AccountRow; attached: Record<string, unknown> | null } | typeof RETRY | typeof NEEDS_LOCK> {
    const now = this.clock.now();
    const period = this.currentPeriod(now);
    const account = options.known?.account ?? (await this.repository.findAccount(userId));
    if (!account) throw new NotFoundError();
    if (account.periodKey !== period.key) return NEEDS_LOCK;
    const change = await operation({ account, balances: account, period, now, hold: options.known?.hold ?? null, tx: null, member: null, apiKey: undefined });
    // A member's usage is only written under the pool's lock; attached writes come through `options.attach`.
    if (change.member || change.attach) throw new LedgerInvariantError(`a member's usage or an attached write on the compare-and-swap path of ${userId}`);
    const balances = this.balancesAfter(userId, account, change.entries);
    if (this.snapshot(account).level !== this.snapshot(balances).level) return NEEDS_LOCK;
    const write = this.writeOf(account, balances, change, now, account.version);
    const written = await this.repository.applyChange(this.repository.db, write, options.attach ?? null);
    if (!written.applied) return RETRY;
    return { result: this.resultOf(change, written.entryIds, written.attached), account: { ...write.next, version: written.version }, attached: written.attached };
  }

  private balancesAfter(userId: string, account: AccountBalances, entries: NewLedgerEntry[]): AccountBalances {
    let balances = account;
    for (const entry of entries) balances = applyDelta(balances, entry.delta);
    this.assertSound(userId, balances);
    return balances;
  }

  private writeOf(account: AccountRow, balances: AccountBalances, change: AccountChange<unknown>, now: Date, expectedVersion: number | null): AccountWrite {
    const openHolds = Math.max(0, account.openHolds + (change.openHold ? 1 : 0) - (change.closeHold?.from === 'OPEN' ? 1 : 0));
    return {
      next: { ...account, ...balances, ...change.plan, openHolds },
      previousOpenHolds: account.openHolds,
      expectedVersion,
      entries: change.entries,
      touchActivity: change.activity ?? false,
      now,
      openHold: change.openHold ?? null,
      closeHold: change.closeHold ?? null,
      member: change.member ?? null,
      apiKey: change.apiKey ?? null,
    };
  }

  /** Writes a change under the account lock; returns the ids of its entries and what the attached writes returned. */
  private async write(tx: Transaction, write: AccountWrite, attach: AttachedWrite | null): Promise<{ entryIds: number[]; attached: Record<string, unknown> | null; version: number }> {
    const result = await this.repository.applyChange(tx, write, attach);
    if (!result.applied) throw new NotFoundError();
    return { entryIds: result.entryIds, attached: result.attached, version: result.version };
  }

  private resultOf<T>(change: AccountChange<T | ResultOf<T>>, entryIds: number[], attached: Record<string, unknown> | null): T {
    return typeof change.result === 'function' ? (change.result as ResultOf<T>)(entryIds, attached) : (change.result as T);
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
    await this.levels.emit(tx, { userId: before.userId, organizationId: before.organizationId, periodKey, before: previous, after: next, causes: entries.map((entry) => entry.kind), now });
  }

  /** The lazy monthly reset: runs under the account lock, so it happens once however many requests race. */
  private async resetIntoPeriod(tx: Transaction, account: AccountRow, period: QuotaPeriod, now: Date): Promise<AccountRow> {
    const elapsed = periodsBetween(account.periodKey, period.key);
    if (elapsed <= 0) return account;
    // A plan chosen for the next reset (a downgrade) starts with it; a paid plan not paid for the new period ends.
    const { planId, nextPlanId, planPaidThrough } = planAtReset(account, period.key);
    const allowance = (await this.plans.limitsIn(tx, planId)).monthlyTokens;
    const plan = planReset(account, allowance, elapsed);
    const entries: NewLedgerEntry[] = [];
    if (plan.expiry) {
      entries.push({ kind: 'FREE_EXPIRY', amountTokens: account.freeTokens, delta: plan.expiry, metadata: { expiredPeriod: account.periodKey } });
    }
    entries.push({
      kind: 'MONTHLY_GRANT',
      amountTokens: allowance,
      delta: plan.grant,
      metadata: {
        previousPeriod: account.periodKey,
        periodsElapsed: elapsed,
        carriedDebtTokens: plan.carriedDebtTokens,
        planId,
        ...(planId !== account.planId ? { previousPlanId: account.planId } : {}),
      },
    });
    let balances: AccountBalances = account;
    for (const entry of entries) balances = applyDelta(balances, entry.delta);
    this.assertSound(account.userId, balances);
    const next = { ...account, ...balances, periodKey: period.key, planId, nextPlanId, planPaidThrough };
    const version = await this.writeLocked(tx, { next, previousOpenHolds: account.openHolds, expectedVersion: null, entries, touchActivity: false, now });
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

/** Whether a change writes anything (otherwise it only read, or refused). */
function writes(change: AccountChange<unknown>): boolean {
  return change.entries.length > 0 || Boolean(change.activity || change.openHold || change.closeHold || change.plan || change.member || change.attach || change.apiKey);
}

/** Two changes of one key's usage as one (a pool's batch writes each key once). */
function sumKeyChanges(sum: KeyUsageChange | undefined, next: KeyUsageChange): KeyUsageChange {
  if (!sum) return next;
  return { id: next.id, heldDelta: sum.heldDelta + next.heldDelta, consumedDelta: sum.consumedDelta + next.consumedDelta, openHoldsDelta: sum.openHoldsDelta + next.openHoldsDelta };
}

/** The organization's pool a change without a transaction of its caller's is on, when the target names one. */
function poolOf(target: ChangeTarget): string | null {
  if ('holdId' in target) return target.poolId ?? null;
  // A key with limits is checked on its own row, locked by a change made alone.
  return target.memberId && !target.apiKeyLimited ? target.userId : null;
}
