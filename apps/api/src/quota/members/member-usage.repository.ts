import { Inject, Injectable } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
import { DATABASE, rowsOf, type DatabaseHandle, type Executor } from '../../database/database.js';
import { organizationMembers, tokenHolds } from '../../database/schema.js';
import type { MemberUsage } from './member-limit.js';
import { usageProblems, type UsageBooks } from '../verification/usage-books.js';

const usageColumns = {
  monthlyLimitTokens: organizationMembers.monthlyLimitTokens,
  periodKey: organizationMembers.periodKey,
  heldTokens: organizationMembers.heldTokens,
  consumedTokens: organizationMembers.consumedTokens,
  openHolds: organizationMembers.openHolds,
};

/**
 * A member's use of their organization's pool (organization_members' usage columns): read here;
 * written only by the pool's ledger statement (LedgerRepository.applyChange), under the pool's lock.
 */
@Injectable()
export class MemberUsageRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  async find(executor: Executor, organizationId: string, userId: string): Promise<MemberUsage | null> {
    const [row] = await executor
      .select(usageColumns)
      .from(organizationMembers)
      .where(and(eq(organizationMembers.organizationId, organizationId), eq(organizationMembers.userId, userId)));
    return row ?? null;
  }

  async setLimit(executor: Executor, organizationId: string, userId: string, monthlyLimitTokens: number | null): Promise<boolean> {
    const rows = await executor
      .update(organizationMembers)
      .set({ monthlyLimitTokens })
      .where(and(eq(organizationMembers.organizationId, organizationId), eq(organizationMembers.userId, userId)))
      .returning({ userId: organizationMembers.userId });
    return rows.length === 1;
  }

  /** The member's holds still open in the pool. */
  async openHoldIds(executor: Executor, organizationId: string, userId: string): Promise<string[]> {
    const rows = await executor
      .select({ id: tokenHolds.id })
      .from(tokenHolds)
      .where(and(eq(tokenHolds.userId, organizationId), eq(tokenHolds.memberId, userId), eq(tokenHolds.status, 'OPEN')));
    return rows.map((row) => row.id);
  }

  /**
   * Starts a new member's usage from the pool's books (under the pool's lock): what the pool's
   * ledger already counts for them in the pool's period — a member who left and came back in
   * the same month does not start from zero.
   */
  async startFromLedger(executor: Executor, organizationId: string, userId: string): Promise<void> {
    await executor.execute(sql`
      update organization_members m
      set period_key = a.period_key,
          consumed_tokens = coalesce((select sum(e.consumed_delta) from ledger_entries e
                                      where e.user_id = a.user_id and e.member_id = m.user_id and e.period_key = a.period_key), 0),
          held_tokens = 0, open_holds = 0
      from token_accounts a
      where a.user_id = m.organization_id and m.organization_id = ${organizationId} and m.user_id = ${userId}`);
  }

  /**
   * Members whose usage differs from the pool's ledger: held tokens and open holds against their
   * open holds and the held deltas of their entries, consumption against the entries of their
   * period. Empty when the books balance.
   */
  async findUnbalanced(executor: Executor, organizationId?: string): Promise<UnbalancedMember[]> {
    const filter = organizationId ? sql`where m.organization_id = ${organizationId}` : sql``;
    const rows = rowsOf<Record<keyof UnbalancedMember, string | number>>(
      await executor.execute(sql`
        select m.organization_id as "organizationId", m.user_id as "userId",
               m.held_tokens as "heldTokens", coalesce(held.sum, 0) as "ledgerHeldTokens", coalesce(h.held, 0) as "openHoldTokens",
               m.open_holds as "openHolds", coalesce(h.count, 0) as "openHoldCount",
               m.consumed_tokens as "consumedTokens", coalesce(consumed.sum, 0) as "ledgerConsumedTokens",
               coalesce(m.monthly_limit_tokens, -1) as "monthlyLimitTokens"
        from organization_members m
        left join lateral (select sum(e.held_delta)::bigint as sum from ledger_entries e
                           where e.user_id = m.organization_id and e.member_id = m.user_id) held on true
        left join lateral (select sum(e.consumed_delta)::bigint as sum from ledger_entries e
                           where e.user_id = m.organization_id and e.member_id = m.user_id and e.period_key = m.period_key) consumed on true
        left join lateral (select sum(t.tokens)::bigint as held, count(*)::int as count from token_holds t
                           where t.user_id = m.organization_id and t.member_id = m.user_id and t.status = 'OPEN') h on true
        ${filter}`),
    );
    return rows
      .map((row) => ({ ...Object.fromEntries(Object.entries(row).map(([key, value]) => [key, key === 'organizationId' || key === 'userId' ? value : Number(value)])) }) as unknown as UnbalancedMember)
      .filter((row) => usageProblems(row).length > 0);
  }
}

export interface UnbalancedMember extends UsageBooks {
  organizationId: string;
  userId: string;
  /** -1: no limit. */
  monthlyLimitTokens: number;
}
