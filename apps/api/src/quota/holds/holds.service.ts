import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  applyDelta,
  decideReservation,
  delta,
  evaluateUsage,
  lateSettlement,
  planSettlement,
  type AccountBalances,
  type BalanceDelta,
  type ConsumptionSplit,
  type UsageEvaluation,
} from '@consult-on/quota-policy';
import { CLOCK, type Clock } from '../../common/clock.js';
import { ApiKeyBudgetReachedError, HoldClosedError, InvalidApiKeyError, MemberLimitReachedError, NotFoundError, TokenExhaustedError, TooManyConcurrentTurnsError } from '../../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { Transaction } from '../../database/database.js';
import type { AccountRow, AttachedWrite, LockedHold } from '../ledger/ledger.repository.js';
import { LedgerRepository } from '../ledger/ledger.repository.js';
import { afterHold, inPeriod, memberChargeCap, memberReservation, memberRoom, memberThreshold, memberUsagePercent, type KeyUsage, type KeyUsageChange, type MemberUsage } from '../members/member-limit.js';
import { LevelChangeHub } from '../ledger/level-change.js';
import { MemberUsageRepository } from '../members/member-usage.repository.js';
import { LedgerWriter, NEEDS_LOCK, OPTIMISTIC_ATTEMPTS, RETRY, type AccountChange, type AccountContext, type Idempotency } from '../ledger/ledger-writer.js';
import { purchaseUrl } from '../purchase-url.js';
import { HoldsRepository } from './holds.repository.js';

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
  /** The organization's pool the hold is on (a member's turn), when settling and voiding it join the pool's batches (not for a key with limits). */
  poolId?: string;
  /** The API key whose turn it is, and whether it has limits of its own (its settlement then takes the locking path). */
  apiKey?: TurnKey;
}

/** The API key a turn is made with: one more level of the reservation when it has limits of its own (budget, turns in flight). */
export interface TurnKey {
  id: string;
  limited: boolean;
}

export interface SettlementView {
  holdId: string;
  chargedTokens: number;
  split: ConsumptionSplit;
  ledgerEntryId: number;
  balances: AccountBalances;
  usage: UsageEvaluation;
}

/** A settlement computed from the account its reservation left: what `settlePlanned` writes. */
export interface PlannedSettlement {
  reservation: TurnReservation & { account: AccountRow };
  consumedTokens: number;
  metadata: Record<string, unknown>;
  split: ConsumptionSplit;
  delta: BalanceDelta;
  after: AccountBalances;
}

/**
 * Two-phase holds: reserve tokens for work in flight (refused past 105 %), then settle with what
 * the work consumed, or void it; holds a crashed process left behind expire.
 */
@Injectable()
export class HoldsService {
  private readonly logger = new Logger(HoldsService.name);

  constructor(
    private readonly writer: LedgerWriter,
    private readonly repository: HoldsRepository,
    private readonly members: MemberUsageRepository,
    private readonly ledger: LedgerRepository,
    private readonly levels: LevelChangeHub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Holds up to `tokens`, and returns the account it left for settling. With `minimumTokens`, a
   * smaller hold is granted when only that much fits under the hard limit; otherwise the request
   * is refused with TOKEN_EXHAUSTED.
   */
  async reserveWithAccount(
    userId: string,
    request: {
      tokens: number;
      minimumTokens?: number;
      purpose: string;
      /** Refused with TOO_MANY_CONCURRENT_TURNS when the account already has this many holds open (its plan's cap). */
      maxInFlight?: number;
      /** The account as the caller just read it: the first attempt skips the read. */
      known?: AccountRow;
      /** The API key the turn is made with. */
      apiKey?: TurnKey;
    },
    idempotency: Idempotency | null = null,
  ): Promise<TurnReservation> {
    const keyId = request.apiKey?.id ?? null;
    const operation = async ({ account, balances, now, apiKey }: AccountContext): Promise<AccountChange<HoldView>> => {
      // Counted with the balances, under the same compare-and-swap (or lock): concurrent turns cannot pass the cap.
      if (request.maxInFlight !== undefined && account.openHolds >= request.maxInFlight) throw new TooManyConcurrentTurnsError(request.maxInFlight);
      const within = keyReservation(keyId, apiKey, account.periodKey, request.tokens, request.minimumTokens ?? request.tokens);
      const decision = decideReservation(balances, within.tokens, this.writer.policy, within.minimumTokens);
      if (!decision.allowed) throw this.exhausted(balances);
      const expiresAt = new Date(now.getTime() + this.config.holdTtlSeconds * 1_000);
      const holdId = randomUUID();
      return {
        entries: [{ kind: 'HOLD', amountTokens: decision.tokens, delta: delta({ heldTokens: decision.tokens }), holdId, apiKeyId: keyId }],
        result: { holdId, tokens: decision.tokens, expiresAt: expiresAt.toISOString() },
        activity: true,
        openHold: { id: holdId, tokens: decision.tokens, purpose: request.purpose, expiresAt, apiKeyId: keyId },
        apiKey: keyWrite(keyId, apiKey, { heldDelta: decision.tokens, consumedDelta: 0, openHoldsDelta: 1 }),
      };
    };
    // The hot path of every chat turn: one read and one compare-and-swap write, no transaction
    // (a key with limits of its own is checked on its row, locked after the account's).
    if (!idempotency && !request.apiKey?.limited) {
      for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt += 1) {
        const known = attempt === 0 && request.known ? { known: { account: request.known, hold: null } } : {};
        let outcome: Awaited<ReturnType<typeof this.writer.tryChange<HoldView>>>;
        try {
          outcome = await this.writer.tryChange(userId, operation, known);
        } catch (error) {
          // The caller's copy may be stale (a turn ended since): the cap is decided on a fresh read.
          if (error instanceof TooManyConcurrentTurnsError && 'known' in known) continue;
          throw error;
        }
        if (outcome === NEEDS_LOCK) break;
        if (outcome !== RETRY) return { hold: outcome.result, account: outcome.account, apiKey: request.apiKey };
      }
    }
    return { hold: await this.writer.change(keyId ? { userId, apiKeyId: keyId, apiKeyLimited: true } : { userId }, idempotency, operation), account: null, apiKey: request.apiKey };
  }

  /**
   * Holds tokens of an organization's pool for a member's turn, within both caps at once: the
   * member's monthly limit (MEMBER_LIMIT_REACHED) and the pool's hard limit (TOKEN_EXHAUSTED),
   * and the plan's cap on the member's turns in flight. One transaction under the pool's lock,
   * which every change of the pool and of its members' usage takes: neither cap can be passed
   * under any concurrency, on any number of instances.
   */
  async reserveForMember(
    organizationId: string,
    memberId: string,
    request: { tokens: number; minimumTokens?: number; purpose: string; maxInFlight?: number; apiKey?: TurnKey },
  ): Promise<TurnReservation> {
    const keyId = request.apiKey?.id ?? null;
    // A key with limits of its own: a change alone, with the key's row locked; without, with the pool's batch.
    const target = { userId: organizationId, memberId, ...(request.apiKey ? { apiKeyId: request.apiKey.id, apiKeyLimited: request.apiKey.limited } : {}) };
    const hold = await this.writer.change(target, null, async ({ account, balances, now, member: found, apiKey }): Promise<AccountChange<HoldView>> => {
      // Read with the pool's lock, in the same statement: no member row, no turn.
      if (!found) throw new NotFoundError();
      // The period of the pool as locked (and reset), not this instance's clock: the entries are written in it.
      const member = inPeriod(found, account.periodKey);
      if (request.maxInFlight !== undefined && member.openHolds >= request.maxInFlight) throw new TooManyConcurrentTurnsError(request.maxInFlight);
      const minimum = request.minimumTokens ?? request.tokens;
      const allowed = memberReservation(member, request.tokens, minimum);
      if (allowed === null) throw new MemberLimitReachedError(member.monthlyLimitTokens ?? 0, memberRoom(member));
      const within = keyReservation(keyId, apiKey, account.periodKey, allowed, Math.min(minimum, allowed));
      const decision = decideReservation(balances, within.tokens, this.writer.policy, within.minimumTokens);
      if (!decision.allowed) throw this.exhausted(balances, 'organization');
      const expiresAt = new Date(now.getTime() + this.config.holdTtlSeconds * 1_000);
      const holdId = randomUUID();
      return {
        entries: [{ kind: 'HOLD', amountTokens: decision.tokens, delta: delta({ heldTokens: decision.tokens }), holdId, memberId, apiKeyId: keyId }],
        result: { holdId, tokens: decision.tokens, expiresAt: expiresAt.toISOString() },
        openHold: { id: holdId, tokens: decision.tokens, purpose: request.purpose, expiresAt, memberId, apiKeyId: keyId },
        member: { userId: memberId, usage: afterHold(member, { openedTokens: decision.tokens }) },
        apiKey: keyWrite(keyId, apiKey, { heldDelta: decision.tokens, consumedDelta: 0, openHoldsDelta: 1 }),
      };
    });
    // A key with limits is settled and voided alone, with its row locked: not with the pool's batches.
    return { hold, account: null, ...(request.apiKey?.limited ? {} : { poolId: organizationId }), apiKey: request.apiKey };
  }

  /**
   * Voids a member's open holds in their organization's pool, in the caller's transaction, with the
   * pool locked first: no turn of theirs can start in the pool until the transaction ends (their
   * removal from the organization).
   */
  async voidMemberHolds(tx: Transaction, organizationId: string, memberId: string): Promise<number> {
    await this.ledger.lockAccount(tx, organizationId);
    const holds = await this.members.openHoldIds(tx, organizationId, memberId);
    for (const holdId of holds) await this.closeWithoutCharge(holdId, 'VOIDED', tx);
    return holds.length;
  }

  /**
   * Refuses with TOKEN_EXHAUSTED when a reservation of `minimumTokens` would be refused, writing
   * nothing, from balances the caller already read (of the current period): a request is turned
   * away before work that costs (counting a long message). The reservation still decides.
   */
  assertReservable(balances: AccountBalances, minimumTokens: number): void {
    if (!decideReservation(balances, minimumTokens, this.writer.policy, minimumTokens).allowed) throw this.exhausted(balances);
  }

  /**
   * The settlement of a turn as it would apply to the account its reservation left (pure): the
   * caller records what it needs with this split, then `settlePlanned` writes both in one
   * statement. Null when it must take the locking path instead: the account is not known, or the
   * settlement moves the usage level (whose listeners write in the change's transaction).
   */
  planSettlement(reservation: TurnReservation, consumedTokens: number, metadata: Record<string, unknown>): PlannedSettlement | null {
    assertTokens(consumedTokens);
    const account = reservation.account;
    if (!account || reservation.apiKey?.limited) return null;
    const plan = planSettlement(account, reservation.hold.tokens, consumedTokens, this.writer.policy.consumptionOrder);
    const after = applyDelta(account, plan.delta);
    if (evaluateUsage(account, this.writer.policy).level !== evaluateUsage(after, this.writer.policy).level) return null;
    return { reservation: { ...reservation, account }, consumedTokens, metadata, split: plan.split, delta: plan.delta, after };
  }

  /**
   * Writes a planned settlement and `attached` (another table's writes, plain data) in one
   * compare-and-swap statement with no lock and no read: it applies only while the account is
   * still as the reservation left it — then the hold is still open, since every change of a hold
   * bumps its account's version. Null when it is not: the caller then settles with `settle`.
   */
  async settlePlanned(planned: PlannedSettlement, attached: AttachedWrite | null = null): Promise<{ settlement: SettlementView; attached: Record<string, unknown> | null } | null> {
    const { reservation, consumedTokens, metadata } = planned;
    const holdId = reservation.hold.holdId;
    const keyId = reservation.apiKey?.id ?? null;
    const operation = async (): Promise<AccountChange<(entryIds: number[]) => SettlementView>> => ({
      ...this.settlementChange(holdId, consumedTokens, metadata, 'OPEN', planned.split, planned.delta, planned.after, null, keyId),
      // A key without limits of its own (the statement applies only while it has none).
      apiKey: keyWrite(keyId, undefined, { heldDelta: -reservation.hold.tokens, consumedDelta: consumedTokens, openHoldsDelta: -1 }),
    });
    const known = { account: reservation.account, hold: { id: holdId, accountId: reservation.account.userId, tokens: reservation.hold.tokens, status: 'OPEN' as const, memberId: null, apiKeyId: keyId } };
    const outcome = await this.writer.tryChange(reservation.account.userId, operation, { known, attach: attached });
    if (outcome === RETRY || outcome === NEEDS_LOCK) return null;
    return { settlement: outcome.result, attached: outcome.attached };
  }

  /**
   * Releases a hold and charges what the work really consumed (purchased first, by default),
   * under the account lock — in the caller's transaction when given (PGlite has one connection:
   * a query outside the open transaction would wait for it forever). A hold that expired
   * meanwhile is charged too, without being released twice. Either way the charge stops at 105 %
   * after the other open holds (`lateSettlement`; the rest is written off and recorded in the
   * entry's metadata): an expired hold's room may have gone to other turns, and an admin debit or
   * a refund during the turn may have lowered the limit under an open one. A settled or voided
   * hold is refused. `poolId`: the hold is a member's on that pool (its settlement joins the
   * pool's batches; a wrong guess only costs the batch).
   */
  async settle(holdId: string, consumedTokens: number, metadata: Record<string, unknown> = {}, tx: Transaction | null = null, poolId: string | null = null): Promise<SettlementView> {
    return (await this.settleLocked(holdId, consumedTokens, metadata, tx, null, poolId)).settlement;
  }

  /**
   * `settle`, with another table's writes (built from the settlement's split: a turn's messages)
   * made by the same statement as the settlement, under the account's lock.
   */
  settleWith(
    holdId: string,
    consumedTokens: number,
    metadata: Record<string, unknown>,
    attachFor: (split: ConsumptionSplit, chargedTokens: number) => AttachedWrite,
    poolId: string | null = null,
  ): Promise<{ settlement: SettlementView; attached: Record<string, unknown> | null }> {
    return this.settleLocked(holdId, consumedTokens, metadata, null, attachFor, poolId);
  }

  private async settleLocked(
    holdId: string,
    consumedTokens: number,
    metadata: Record<string, unknown>,
    tx: Transaction | null,
    attachFor: ((split: ConsumptionSplit, chargedTokens: number) => AttachedWrite) | null,
    poolId: string | null = null,
  ): Promise<{ settlement: SettlementView; attached: Record<string, unknown> | null }> {
    assertTokens(consumedTokens);
    return this.writer.change(
      poolId ? { holdId, poolId } : { holdId },
      null,
      async ({ account, balances, hold, now, tx: lockedTx, member: found, apiKey }) => {
        const locked = hold!;
        // A turn that outlived its hold's TTL is still charged; the expiry already released the hold.
        if (locked.status !== 'OPEN' && locked.status !== 'EXPIRED') throw new HoldClosedError();
        const release = locked.status === 'OPEN' ? locked.tokens : 0;
        // A member's turn is charged within their limit too (a member who left: the pool's alone),
        // in the period of the pool as locked (and reset), not this instance's clock.
        const member = found ? inPeriod(found, account.periodKey) : null;
        const withinMember = member ? Math.min(consumedTokens, memberChargeCap(member, release)) : consumedTokens;
        // A key's turn within its budget too, the same way (its hold released only while open).
        const key = locked.apiKeyId && apiKey ? inPeriod(apiKey, account.periodKey) : null;
        const withinKey = key ? Math.min(withinMember, memberChargeCap(key, release)) : withinMember;
        const late = lateSettlement({ ...balances, heldTokens: balances.heldTokens - release }, withinKey, this.writer.policy);
        const plan = planSettlement(balances, release, late.chargedTokens, this.writer.policy.consumptionOrder);
        const writtenOff = consumedTokens - late.chargedTokens;
        const recorded = writtenOff > 0 ? { ...metadata, writtenOffTokens: writtenOff } : metadata;
        const change = this.settlementChange(holdId, late.chargedTokens, recorded, locked.status, plan.split, plan.delta, applyDelta(balances, plan.delta), locked.memberId, locked.apiKeyId);
        let memberAfter: AccountChange<unknown>['member'];
        if (member) {
          const after = afterHold(member, { releasedTokens: release, closesOpenHold: locked.status === 'OPEN', chargedTokens: late.chargedTokens });
          await this.announceMemberThreshold(lockedTx!, locked, member, after, account.periodKey, now);
          memberAfter = { userId: locked.memberId!, usage: after };
        }
        return {
          ...change,
          member: memberAfter,
          apiKey: keyWrite(locked.apiKeyId, apiKey, { heldDelta: -release, consumedDelta: late.chargedTokens, openHoldsDelta: locked.status === 'OPEN' ? -1 : 0 }),
          attach: attachFor ? attachFor(plan.split, late.chargedTokens) : undefined,
          result: (entryIds: number[], attached: Record<string, unknown> | null) => ({ settlement: change.result(entryIds), attached }),
        };
      },
      tx,
    );
  }

  /**
   * Voids every open hold on a person's own account, in the caller's transaction, with the account
   * locked first: no turn of theirs settles or starts on it until the transaction ends (their
   * account's deletion). Returns how many were voided.
   */
  async voidAccountHolds(tx: Transaction, accountId: string): Promise<number> {
    await this.ledger.lockAccount(tx, accountId);
    const holds = await this.repository.openHoldIds(tx, accountId);
    for (const holdId of holds) await this.closeWithoutCharge(holdId, 'VOIDED', tx);
    return holds.length;
  }

  /** Releases a hold without charging anything (the model failed, the client left before any output); `poolId`: a member's hold on that pool. */
  async voidHold(holdId: string, poolId: string | null = null): Promise<void> {
    await this.closeWithoutCharge(holdId, 'VOIDED', null, poolId);
  }

  /** Tells listeners (notifications) when a settlement took the member to 90 % or 100 % of their limit. */
  private async announceMemberThreshold(tx: Transaction, hold: LockedHold, before: MemberUsage, after: MemberUsage, periodKey: string, now: Date): Promise<void> {
    const threshold = memberThreshold(after);
    if (threshold === null || threshold === memberThreshold(before)) return;
    const room = memberRoom({ ...after, heldTokens: 0 });
    await this.levels.emitMemberLimit(tx, {
      organizationId: hold.accountId,
      userId: hold.memberId!,
      periodKey,
      threshold,
      usagePercent: memberUsagePercent(after) ?? 0,
      remainingTokens: Number.isFinite(room) ? room : 0,
      now,
    });
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
        // Settled or voided between the scan and the lock: nothing left to expire. Any other
        // failure is this hold's: the others are still expired (the next sweep tries it again).
        if (!(error instanceof HoldClosedError)) this.logger.error({ message: 'could not expire a hold', holdId: hold.id, error: String(error) });
      }
    }
    if (count > 0) this.logger.log({ message: 'expired holds', count });
    return count;
  }

  private settlementChange(
    holdId: string,
    consumedTokens: number,
    metadata: Record<string, unknown>,
    from: 'OPEN' | 'EXPIRED',
    split: ConsumptionSplit,
    change: BalanceDelta,
    after: AccountBalances,
    memberId: string | null = null,
    apiKeyId: string | null = null,
  ): AccountChange<(entryIds: number[]) => SettlementView> {
    return {
      entries: [{ kind: 'CONSUMPTION', amountTokens: consumedTokens, delta: change, holdId, metadata, memberId, apiKeyId }],
      closeHold: { id: holdId, from, status: 'SETTLED' },
      result: (entryIds: number[]) => ({
        holdId,
        chargedTokens: consumedTokens,
        split,
        ledgerEntryId: entryIds[0]!,
        balances: after,
        usage: evaluateUsage(after, this.writer.policy),
      }),
      activity: true,
    };
  }

  private async closeWithoutCharge(holdId: string, status: 'VOIDED' | 'EXPIRED', tx: Transaction | null = null, poolId: string | null = null) {
    await this.writer.change(
      poolId ? { holdId, poolId } : { holdId },
      null,
      async ({ account, hold, member: found, apiKey }) => {
        const open = hold!;
        if (open.status !== 'OPEN') throw new HoldClosedError();
        const member = found ? inPeriod(found, account.periodKey) : null;
        return {
          member: member ? { userId: open.memberId!, usage: afterHold(member, { releasedTokens: open.tokens, closesOpenHold: true }) } : undefined,
          entries: [{ kind: status === 'VOIDED' ? 'HOLD_VOID' : 'HOLD_EXPIRY', amountTokens: open.tokens, delta: delta({ heldTokens: -open.tokens }), holdId, memberId: open.memberId, apiKeyId: open.apiKeyId }],
          closeHold: { id: holdId, from: 'OPEN', status },
          apiKey: keyWrite(open.apiKeyId, apiKey, { heldDelta: -open.tokens, consumedDelta: 0, openHoldsDelta: -1 }),
          result: null,
        };
      },
      tx,
    );
  }

  private exhausted(balances: AccountBalances, scope: 'personal' | 'organization' = 'personal'): TokenExhaustedError {
    const usage = evaluateUsage(balances, this.writer.policy);
    return new TokenExhaustedError(Math.max(0, usage.remainingTokens), usage.usagePercent, purchaseUrl(this.config), scope);
  }
}

/**
 * How much a turn of an API key may hold: within the key's budget and its cap on turns in flight,
 * when the key's usage was read under the lock (`usage`); otherwise what was asked (a key without
 * limits, or none). Refused with API_KEY_BUDGET_REACHED or TOO_MANY_CONCURRENT_TURNS.
 */
function keyReservation(keyId: string | null, found: KeyUsage | null | undefined, periodKey: string, tokens: number, minimumTokens: number): { tokens: number; minimumTokens: number } {
  // A key whose row is gone (its maker or organization deleted a moment ago) starts nothing.
  if (keyId && found === null) throw new InvalidApiKeyError();
  if (!keyId || !found) return { tokens, minimumTokens };
  const usage = inPeriod(found, periodKey);
  if (usage.concurrentTurns !== null && usage.openHolds >= usage.concurrentTurns) throw new TooManyConcurrentTurnsError(usage.concurrentTurns, 'api-key');
  const allowed = memberReservation(usage, tokens, minimumTokens);
  if (allowed === null) throw new ApiKeyBudgetReachedError(usage.monthlyLimitTokens ?? 0, memberRoom(usage));
  return { tokens: allowed, minimumTokens: Math.min(minimumTokens, allowed) };
}

/**
 * A change's write of a key's usage: none without a key, or when the key is gone (`found` null,
 * read under the lock); otherwise the differences (`found` undefined: not read, the statement
 * applies them only while the key has no limits).
 */
function keyWrite(keyId: string | null, found: KeyUsage | null | undefined, change: Omit<KeyUsageChange, 'id' | 'checked'>): KeyUsageChange | undefined {
  if (!keyId || found === null) return undefined;
  return { id: keyId, ...change, checked: found !== undefined };
}

function assertTokens(consumedTokens: number): void {
  if (!Number.isSafeInteger(consumedTokens) || consumedTokens < 0) {
    throw new RangeError(`consumed tokens must be a non-negative integer, got ${consumedTokens}`);
  }
}
