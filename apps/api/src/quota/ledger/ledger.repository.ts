import { Inject, Injectable } from '@nestjs/common';
import type { AccountBalances, BalanceDelta } from '@consult-on/quota-policy';
import { and, asc, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import { DATABASE, executePrepared, rowsOf, type DatabaseHandle, type Executor } from '../database/database.js';
import { ledgerEntries, tokenAccounts, tokenHolds, type LedgerEntryKind } from '../database/schema.js';

export interface AccountRow extends AccountBalances {
  userId: string;
  periodKey: string;
  /** Bumped by every write of the account. */
  version: number;
}

export interface NewLedgerEntry {
  kind: LedgerEntryKind;
  amountTokens: number;
  delta: BalanceDelta;
  holdId?: string | null;
  paymentId?: string | null;
  actorId?: string | null;
  reason?: string | null;
  metadata?: Record<string, unknown> | null;
}

export type LedgerEntryRow = typeof ledgerEntries.$inferSelect;
export type HoldRow = typeof tokenHolds.$inferSelect;

/** A hold created by a change; its id is chosen by the caller so entries can name it in the same statement. */
export interface NewHold {
  id: string;
  tokens: number;
  purpose: string;
  expiresAt: Date;
}

/** Everything one ledger change writes, applied by `applyChange` as a single statement. */
export interface AccountWrite {
  /** The account's new state (period and balances). */
  next: AccountRow;
  /**
   * The version the change was computed from, for an optimistic write without a row lock: the
   * write applies only when the stored account still has it (compare-and-swap). Null when the
   * caller holds the row lock.
   */
  expectedVersion: number | null;
  entries: NewLedgerEntry[];
  touchActivity: boolean;
  now: Date;
  openHold?: NewHold | null;
  /** Closes a hold that is still in status `from`. */
  closeHold?: { id: string; from: HoldRow['status']; status: 'SETTLED' | 'VOIDED' | 'EXPIRED' } | null;
}

/**
 * Another table's writes made by the same statement as a ledger change, so that both happen or
 * neither does (a chat turn's messages with its settlement). Its CTEs may read `account` (one
 * row when the change applied, none otherwise) and `appended` (the ids of the new entries).
 */
export interface AttachedWrite {
  /** Names the prepared statement: one name per SQL text. */
  name: string;
  /** The change applies only where this condition holds (with the compare-and-swap). */
  guard: SQL;
  /** CTEs (`name as (…)`, comma-separated) that follow the ledger's. */
  ctes: SQL;
  /** Columns added to the result row. */
  columns: SQL;
  /** What the attached CTEs must have written when the change applied; the statement aborts otherwise. */
  assertion: SQL;
}

export interface LockedHold {
  id: string;
  tokens: number;
  status: HoldRow['status'];
}

const accountColumns = {
  userId: tokenAccounts.userId,
  periodKey: tokenAccounts.periodKey,
  freeTokens: tokenAccounts.freeTokens,
  purchasedTokens: tokenAccounts.purchasedTokens,
  debtTokens: tokenAccounts.debtTokens,
  heldTokens: tokenAccounts.heldTokens,
  periodCapacityTokens: tokenAccounts.periodCapacityTokens,
  periodConsumedTokens: tokenAccounts.periodConsumedTokens,
  version: tokenAccounts.version,
};

/** Every statement on token accounts, the ledger, holds and idempotency keys. */
@Injectable()
export class LedgerRepository {
  private findAccountQuery: { execute(values: { userId: string }): Promise<AccountRow[]> } | null = null;

  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  async insertAccount(executor: Executor, userId: string, periodKey: string): Promise<AccountRow> {
    const [row] = await executor.insert(tokenAccounts).values({ userId, periodKey }).returning(accountColumns);
    return row!;
  }

  /**
   * The account as it is now, read outside any transaction (every chat turn reads it). Never call
   * it inside one: on PGlite's single connection it would wait for that transaction forever.
   */
  async findAccount(userId: string): Promise<AccountRow | null> {
    // Built once: the query is the same every time, only the user differs.
    this.findAccountQuery ??= this.db
      .select(accountColumns)
      .from(tokenAccounts)
      .where(eq(tokenAccounts.userId, sql.placeholder('userId')))
      .prepare('ledger_find_account');
    const [row] = await this.findAccountQuery.execute({ userId });
    return row ?? null;
  }

  /** Locks the account row until the transaction ends: every balance change on one account is serial. */
  async lockAccount(executor: Executor, userId: string): Promise<AccountRow | null> {
    const [row] = await executor
      .select(accountColumns)
      .from(tokenAccounts)
      .where(eq(tokenAccounts.userId, userId))
      .for('update');
    return row ?? null;
  }

  /**
   * Locks a hold's account and the hold (in that order, as every other change does: account
   * first) in one statement; null when the hold does not exist.
   */
  async lockAccountWithHold(executor: Executor, holdId: string): Promise<{ account: AccountRow; hold: LockedHold } | null> {
    const [row] = await executor
      .select({ ...accountColumns, holdTokens: tokenHolds.tokens, holdStatus: tokenHolds.status })
      .from(tokenAccounts)
      .innerJoin(tokenHolds, eq(tokenHolds.userId, tokenAccounts.userId))
      .where(eq(tokenHolds.id, sql.placeholder('holdId')))
      .for('update')
      .prepare('ledger_lock_account_with_hold')
      .execute({ holdId });
    if (!row) return null;
    const { holdTokens, holdStatus, ...account } = row;
    return { account, hold: { id: holdId, tokens: holdTokens, status: holdStatus } };
  }

  /**
   * Applies one ledger change in a single statement (a data-modifying CTE): stores the account's
   * new balances, appends the entries and opens or closes a hold. With `expected`, nothing is
   * written unless the stored account still equals it; returns whether it was applied and the
   * ids of the appended entries, in order. `attached` adds another table's writes to the statement.
   * A change that applied but did not write all it was asked to (its hold, its entries, the
   * attached rows) aborts the statement with a `ledger invariant` error, writing nothing.
   */
  async applyChange(
    executor: Executor,
    write: AccountWrite,
    attached: AttachedWrite | null = null,
  ): Promise<{ applied: boolean; version: number; entryIds: number[]; attached: Record<string, unknown> | null }> {
    const { next, expectedVersion, now } = write;
    const at = now.toISOString();
    const entries = JSON.stringify(
      write.entries.map((entry, index) => ({
        ord: index,
        kind: entry.kind,
        amount_tokens: entry.amountTokens,
        free_delta: entry.delta.freeTokens,
        purchased_delta: entry.delta.purchasedTokens,
        debt_delta: entry.delta.debtTokens,
        held_delta: entry.delta.heldTokens,
        capacity_delta: entry.delta.periodCapacityTokens,
        consumed_delta: entry.delta.periodConsumedTokens,
        hold_id: entry.holdId ?? null,
        payment_id: entry.paymentId ?? null,
        actor_id: entry.actorId ?? null,
        reason: entry.reason ?? null,
        metadata: entry.metadata ?? null,
      })),
    );
    const open = write.openHold ?? null;
    const close = write.closeHold ?? null;
    // Without the row lock, the hold to close must still be as planned: the version says so
    // (every change of a hold bumps it), and the statement checks it too. The assertion at the
    // end catches what a check against the statement's snapshot cannot: the statement aborts,
    // and rolls back everything it wrote, unless it wrote all it was asked to.
    const compare =
      expectedVersion === null
        ? sql``
        : sql`and version = ${expectedVersion}
              and (${close?.id ?? null}::uuid is null or exists (select 1 from token_holds where id = ${close?.id ?? null}::uuid and status = ${close?.from ?? null}::text))`;
    const guard = attached ? sql`and ${attached.guard}` : sql``;
    const activity = write.touchActivity ? sql`, last_active_at = ${at}::timestamptz` : sql``;
    const rows = rowsOf<{ applied: number; version: number | string | null; entry_ids: number[] | string }>(
      // Prepared: planning this statement costs PostgreSQL more than running it. One name per SQL text.
      await executePrepared(executor, `ledger_apply_${expectedVersion === null ? 'locked' : 'cas'}_${write.touchActivity ? 'active' : 'quiet'}${attached ? `_${attached.name}` : ''}`, sql`
        with account as (
          update token_accounts
          set period_key = ${next.periodKey}, free_tokens = ${next.freeTokens}, purchased_tokens = ${next.purchasedTokens},
              debt_tokens = ${next.debtTokens}, held_tokens = ${next.heldTokens},
              period_capacity_tokens = ${next.periodCapacityTokens}, period_consumed_tokens = ${next.periodConsumedTokens},
              version = version + 1, updated_at = ${at}::timestamptz ${activity}
          where user_id = ${next.userId} ${compare} ${guard}
          returning user_id, version
        ), opened as (
          insert into token_holds (id, user_id, tokens, period_key, purpose, expires_at, created_at)
          select ${open?.id ?? null}::uuid, user_id, ${open?.tokens ?? null}::bigint, ${next.periodKey}, ${open?.purpose ?? null}::text,
                 ${open ? open.expiresAt.toISOString() : null}::timestamptz, ${at}::timestamptz
          from account where ${open !== null}::boolean
          returning id
        ), closed as (
          update token_holds set status = ${close?.status ?? null}::text, closed_at = ${at}::timestamptz
          from account where token_holds.id = ${close?.id ?? null}::uuid and token_holds.status = ${close?.from ?? null}::text
          returning token_holds.id
        ), appended as (
          insert into ledger_entries (user_id, period_key, kind, amount_tokens, free_delta, purchased_delta, debt_delta, held_delta,
                                      capacity_delta, consumed_delta, hold_id, payment_id, actor_id, reason, metadata, created_at)
          select account.user_id, ${next.periodKey}, e.kind, e.amount_tokens, e.free_delta, e.purchased_delta, e.debt_delta, e.held_delta,
                 e.capacity_delta, e.consumed_delta, e.hold_id, e.payment_id, e.actor_id, e.reason, e.metadata, ${at}::timestamptz
          from account,
               jsonb_to_recordset(${entries}::jsonb) as e(ord int, kind text, amount_tokens bigint, free_delta bigint,
                 purchased_delta bigint, debt_delta bigint, held_delta bigint, capacity_delta bigint, consumed_delta bigint,
                 hold_id uuid, payment_id uuid, actor_id uuid, reason text, metadata jsonb)
          order by e.ord
          returning id
        )${attached ? sql`, ${attached.ctes}` : sql``}
        select (select count(*) from account)::int as applied, (select version from account) as version,
               coalesce((select json_agg(id order by id) from appended), '[]'::json) as entry_ids,
               ledger_assert(
                 not exists (select 1 from account)
                   or ((select count(*) from opened) = ${open ? 1 : 0}::int and (select count(*) from closed) = ${close ? 1 : 0}::int
                       and (select count(*) from appended) = ${write.entries.length}::int ${attached ? sql`and ${attached.assertion}` : sql``}),
                 'ledger write incomplete for account ' || ${next.userId}::text
               ) as complete
               ${attached ? sql`, ${attached.columns}` : sql``}
      `),
    );
    const row = rows[0]!;
    const applied = Number(row.applied) === 1;
    const ids = typeof row.entry_ids === 'string' ? (JSON.parse(row.entry_ids) as number[]) : row.entry_ids;
    return { applied, version: Number(row.version), entryIds: ids.map(Number), attached: attached ? row : null };
  }

  async findExpiredHolds(executor: Executor, now: Date, limit: number): Promise<Pick<HoldRow, 'id' | 'userId'>[]> {
    return executor
      .select({ id: tokenHolds.id, userId: tokenHolds.userId })
      .from(tokenHolds)
      .where(and(eq(tokenHolds.status, 'OPEN'), lt(tokenHolds.expiresAt, now)))
      .orderBy(asc(tokenHolds.expiresAt))
      .limit(limit);
  }

  async findStaleAccounts(executor: Executor, periodKey: string, limit: number): Promise<string[]> {
    const rows = await executor
      .select({ userId: tokenAccounts.userId })
      .from(tokenAccounts)
      .where(lt(tokenAccounts.periodKey, periodKey))
      .limit(limit);
    return rows.map((row) => row.userId);
  }

  async listEntries(executor: Executor, userId: string, page: { limit: number; beforeId?: number }) {
    return executor
      .select()
      .from(ledgerEntries)
      .where(
        page.beforeId === undefined
          ? eq(ledgerEntries.userId, userId)
          : and(eq(ledgerEntries.userId, userId), lt(ledgerEntries.id, page.beforeId)),
      )
      .orderBy(desc(ledgerEntries.id))
      .limit(page.limit);
  }

  async listAdjustments(executor: Executor, userId: string, limit: number) {
    return executor
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.userId, userId), eq(ledgerEntries.kind, 'ADJUSTMENT')))
      .orderBy(desc(ledgerEntries.id))
      .limit(limit);
  }

  /** Tokens consumed per local day since `since`, for charts and the forecast (days without use are absent). */
  async dailyConsumption(executor: Executor, userId: string, since: Date, timeZone: string): Promise<{ day: string; tokens: number }[]> {
    const rows = rowsOf<{ day: string; tokens: string }>(
      await executor.execute(sql`
        select to_char(created_at at time zone ${timeZone}, 'YYYY-MM-DD') as day, sum(consumed_delta) as tokens
        from ledger_entries
        where user_id = ${userId} and kind in ('CONSUMPTION', 'TEST_USAGE') and created_at >= ${since.toISOString()}::timestamptz
        group by 1 order by 1`),
    );
    return rows.map((row) => ({ day: row.day, tokens: Number(row.tokens) }));
  }

  /** The user's average cost of a turn over their last `turns` consumptions, or null without history. */
  async averageConsumption(executor: Executor, userId: string, turns: number): Promise<number | null> {
    const rows = rowsOf<{ average: string | null }>(
      await executor.execute(sql`
        select avg(amount_tokens) as average from (
          select amount_tokens from ledger_entries
          where user_id = ${userId} and kind = 'CONSUMPTION'
          order by id desc limit ${turns}
        ) recent`),
    );
    const average = rows[0]?.average;
    return average === null || average === undefined ? null : Number(average);
  }

  /**
   * Accounts whose stored balances differ from the sum of their ledger, hold a negative bucket,
   * or whose held tokens differ from their open holds. Empty when the books balance.
   */
  async findUnbalancedAccounts(executor: Executor, userId?: string): Promise<UnbalancedAccount[]> {
    const filter = userId ? sql`where a.user_id = ${userId}` : sql``;
    return rowsOf<UnbalancedAccount>(
      await executor.execute(sql`
        with sums as (
          select user_id,
                 sum(free_delta)::bigint as free, sum(purchased_delta)::bigint as purchased,
                 sum(debt_delta)::bigint as debt, sum(held_delta)::bigint as held,
                 sum(capacity_delta)::bigint as capacity, sum(consumed_delta)::bigint as consumed
          from ledger_entries group by user_id
        ), open_holds as (
          select user_id, sum(tokens)::bigint as held from token_holds where status = 'OPEN' group by user_id
        )
        select a.user_id as "userId",
               a.free_tokens as "freeTokens", coalesce(s.free, 0) as "ledgerFreeTokens",
               a.purchased_tokens as "purchasedTokens", coalesce(s.purchased, 0) as "ledgerPurchasedTokens",
               a.debt_tokens as "debtTokens", coalesce(s.debt, 0) as "ledgerDebtTokens",
               a.held_tokens as "heldTokens", coalesce(s.held, 0) as "ledgerHeldTokens", coalesce(h.held, 0) as "openHoldTokens",
               a.period_capacity_tokens as "periodCapacityTokens", coalesce(s.capacity, 0) as "ledgerCapacityTokens",
               a.period_consumed_tokens as "periodConsumedTokens", coalesce(s.consumed, 0) as "ledgerConsumedTokens"
        from token_accounts a
        left join sums s on s.user_id = a.user_id
        left join open_holds h on h.user_id = a.user_id
        ${filter}
      `),
    )
      .map(normalizeNumbers)
      .filter(
        (row) =>
          row.freeTokens !== row.ledgerFreeTokens ||
          row.purchasedTokens !== row.ledgerPurchasedTokens ||
          row.debtTokens !== row.ledgerDebtTokens ||
          row.heldTokens !== row.ledgerHeldTokens ||
          row.heldTokens !== row.openHoldTokens ||
          row.periodCapacityTokens !== row.ledgerCapacityTokens ||
          row.periodConsumedTokens !== row.ledgerConsumedTokens ||
          row.freeTokens < 0 ||
          row.purchasedTokens < 0 ||
          row.debtTokens < 0 ||
          row.heldTokens < 0,
      );
  }
}

export interface UnbalancedAccount {
  userId: string;
  freeTokens: number;
  ledgerFreeTokens: number;
  purchasedTokens: number;
  ledgerPurchasedTokens: number;
  debtTokens: number;
  ledgerDebtTokens: number;
  heldTokens: number;
  ledgerHeldTokens: number;
  openHoldTokens: number;
  periodCapacityTokens: number;
  ledgerCapacityTokens: number;
  periodConsumedTokens: number;
  ledgerConsumedTokens: number;
}

/** Both drivers return bigint and numeric aggregates as strings. */
function normalizeNumbers(row: UnbalancedAccount): UnbalancedAccount {
  const result = { ...row } as Record<string, unknown>;
  for (const [key, value] of Object.entries(result)) {
    if (key !== 'userId') result[key] = Number(value);
  }
  return result as unknown as UnbalancedAccount;
}
