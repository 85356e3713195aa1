import { Inject, Injectable } from '@nestjs/common';
import { and, asc, desc, eq, getTableColumns, gt, gte, lt, lte, sql } from 'drizzle-orm';
import { DATABASE, rowsOf, type DatabaseHandle, type Executor } from '../../database/database.js';
import { conversations, ledgerEntries, users } from '../../database/schema.js';

/** A ledger entry as exported: its columns and the email of the member whose turn it was (null: no member's). */
export type LedgerExportRow = typeof ledgerEntries.$inferSelect & { memberEmail: string | null };

const UUID_TEXT = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * The conversation a ledger entry belongs to (a chat turn's metadata names it), when it still
 * exists and is the entry's user's — in a pool, the member's whose turn it was: a deleted
 * conversation leaves its entries without a link.
 */
const conversationOfEntry = sql<string | null>`(
  select ${conversations.id} from ${conversations}
  where ${conversations.id} = case when ${ledgerEntries.metadata}->>'conversationId' ~ ${UUID_TEXT}
                                   then (${ledgerEntries.metadata}->>'conversationId')::uuid end
    and ${conversations.userId} = coalesce(${ledgerEntries.memberId}, ${ledgerEntries.userId}))`;

/** The member whose turn a pool's entry is (their email); null on a person's own entries. */
const memberEmailOfEntry = sql<string | null>`(select ${users.email} from ${users} where ${users.id} = ${ledgerEntries.memberId})`;

/** Reads of the ledger for people: history pages, adjustments, daily consumption, the cost of a turn. */
@Injectable()
export class UsageRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  /** An account's entries, newest first, a page at a time; with `memberId`, only that member's in a pool. */
  async listEntries(executor: Executor, userId: string, page: { limit: number; beforeId?: number }, memberId?: string) {
    return executor
      .select({ ...getTableColumns(ledgerEntries), conversationId: conversationOfEntry, memberEmail: memberEmailOfEntry })
      .from(ledgerEntries)
      .where(
        and(
          eq(ledgerEntries.userId, userId),
          memberId === undefined ? undefined : eq(ledgerEntries.memberId, memberId),
          page.beforeId === undefined ? undefined : lt(ledgerEntries.id, page.beforeId),
        ),
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

  /**
   * Tokens consumed per local day since `since`, for charts and the forecast (days without use are
   * absent); with `memberId`, only that member's turns in the pool `userId`.
   */
  async dailyConsumption(executor: Executor, userId: string, since: Date, timeZone: string, memberId?: string): Promise<{ day: string; tokens: number }[]> {
    const rows = rowsOf<{ day: string; tokens: string }>(
      await executor.execute(sql`
        select to_char(created_at at time zone ${timeZone}, 'YYYY-MM-DD') as day, sum(consumed_delta) as tokens
        from ledger_entries
        where user_id = ${userId} ${memberId ? sql`and member_id = ${memberId}` : sql``}
          and kind in ('CONSUMPTION', 'TEST_USAGE') and created_at >= ${since.toISOString()}::timestamptz
        group by 1 order by 1`),
    );
    return rows.map((row) => ({ day: row.day, tokens: Number(row.tokens) }));
  }

  /** How many entries of the account fall in [start, end), and the ids they lie between (null without any). */
  async entriesExtent(executor: Executor, userId: string, span: { start: Date; end: Date }): Promise<{ rows: number; firstId: number | null; lastId: number | null }> {
    const [row] = rowsOf<{ rows: string; firstId: string | null; lastId: string | null }>(
      await executor.execute(sql`
        select count(*) as rows, min(id) as "firstId", max(id) as "lastId" from ledger_entries
        where user_id = ${userId} and created_at >= ${span.start.toISOString()}::timestamptz and created_at < ${span.end.toISOString()}::timestamptz`),
    );
    const id = (value: string | null | undefined) => (value === null || value === undefined ? null : Number(value));
    return { rows: Number(row?.rows ?? 0), firstId: id(row?.firstId), lastId: id(row?.lastId) };
  }

  /**
   * The account's entries in [start, end) with ids from `firstId` to `lastId`, oldest first, in
   * batches of `batch` (each its own query, by id), with the email of the member whose turn it was.
   */
  async *entriesBetween(
    executor: Executor,
    userId: string,
    span: { start: Date; end: Date; firstId: number; lastId: number },
    batch = 1_000,
  ): AsyncGenerator<LedgerExportRow[]> {
    let after = span.firstId - 1;
    for (;;) {
      const rows = await executor
        .select({ ...getTableColumns(ledgerEntries), memberEmail: users.email })
        .from(ledgerEntries)
        .leftJoin(users, eq(users.id, ledgerEntries.memberId))
        .where(
          and(
            eq(ledgerEntries.userId, userId),
            gt(ledgerEntries.id, after),
            lte(ledgerEntries.id, span.lastId),
            gte(ledgerEntries.createdAt, span.start),
            lt(ledgerEntries.createdAt, span.end),
          ),
        )
        .orderBy(asc(ledgerEntries.id))
        .limit(batch);
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < batch) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  /** The user's average cost of a turn over their last `turns` consumptions, or null without history. */
  async averageConsumption(executor: Executor, userId: string, turns: number): Promise<number | null> {
    const rows = rowsOf<{ average: string | null }>(
      await executor.execute(sql`
        select avg(amount_tokens) as average from (
          select amount_tokens from ledger_entries
          where user_id = ${userId} and kind = 'CONSUMPTION' and amount_tokens > 0
          order by id desc limit ${turns}
        ) recent`),
    );
    const average = rows[0]?.average;
    return average === null || average === undefined ? null : Number(average);
  }
}
