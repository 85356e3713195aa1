import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { DATABASE, rowsOf, type DatabaseHandle, type Executor } from '../../database/database.js';
import { usageProblems, type UsageBooks } from './usage-books.js';

/** Recomputes balances from the ledger. */
@Injectable()
export class VerificationRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  /**
   * Accounts whose stored balances differ from the sum of their ledger, hold a negative bucket,
   * or whose held tokens (or count of holds) differ from their open holds. Empty when the books balance.
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
          select user_id, sum(tokens)::bigint as held, count(*)::int as count from token_holds where status = 'OPEN' group by user_id
        )
        select a.user_id as "userId",
               a.free_tokens as "freeTokens", coalesce(s.free, 0) as "ledgerFreeTokens",
               a.purchased_tokens as "purchasedTokens", coalesce(s.purchased, 0) as "ledgerPurchasedTokens",
               a.debt_tokens as "debtTokens", coalesce(s.debt, 0) as "ledgerDebtTokens",
               a.held_tokens as "heldTokens", coalesce(s.held, 0) as "ledgerHeldTokens", coalesce(h.held, 0) as "openHoldTokens",
               a.open_holds as "openHolds", coalesce(h.count, 0) as "openHoldCount",
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
          row.openHolds !== row.openHoldCount ||
          row.periodCapacityTokens !== row.ledgerCapacityTokens ||
          row.periodConsumedTokens !== row.ledgerConsumedTokens ||
          row.freeTokens < 0 ||
          row.purchasedTokens < 0 ||
          row.debtTokens < 0 ||
          row.heldTokens < 0,
      );
  }

  /**
   * API keys whose usage differs from the ledger entries that name them: held tokens and turns in
   * flight against their open holds and the held deltas of their entries, consumption against the
   * entries of the key's period. Empty when the books balance.
   */
  async findUnbalancedApiKeys(executor: Executor, keyId?: string): Promise<UnbalancedApiKey[]> {
    const filter = keyId ? sql`where k.id = ${keyId}` : sql``;
    const rows = rowsOf<Record<keyof UnbalancedApiKey, string | number>>(
      await executor.execute(sql`
        select k.id as "keyId", k.held_tokens as "heldTokens", coalesce(held.sum, 0) as "ledgerHeldTokens", coalesce(h.held, 0) as "openHoldTokens",
               k.open_holds as "openHolds", coalesce(h.count, 0) as "openHoldCount",
               k.consumed_tokens as "consumedTokens", coalesce(consumed.sum, 0) as "ledgerConsumedTokens"
        from api_keys k
        left join lateral (select sum(e.held_delta)::bigint as sum from ledger_entries e where e.api_key_id = k.id) held on true
        left join lateral (select sum(e.consumed_delta)::bigint as sum from ledger_entries e where e.api_key_id = k.id and e.period_key = k.period_key) consumed on true
        left join lateral (select sum(t.tokens)::bigint as held, count(*)::int as count from token_holds t where t.api_key_id = k.id and t.status = 'OPEN') h on true
        ${filter}`),
    );
    return rows
      .map((row) => ({ ...(Object.fromEntries(Object.entries(row).map(([name, value]) => [name, name === 'keyId' ? value : Number(value)])) as unknown as UnbalancedApiKey) }))
      .filter((row) => usageProblems(row).length > 0);
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
  /** The account's count of turns in flight, and its holds in status OPEN: equal. */
  openHolds: number;
  openHoldCount: number;
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


export interface UnbalancedApiKey extends UsageBooks {
  keyId: string;
}
