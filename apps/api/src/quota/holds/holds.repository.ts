import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, lt } from 'drizzle-orm';
import { DATABASE, type DatabaseHandle, type Executor } from '../../database/database.js';
import { tokenHolds } from '../../database/schema.js';
import type { HoldRow } from '../ledger/ledger.repository.js';

/** Reads of token holds (their writes are ledger changes). */
@Injectable()
export class HoldsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  /** The open holds on an account (its turns in flight). */
  async openHoldIds(executor: Executor, accountId: string): Promise<string[]> {
    const rows = await executor
      .select({ id: tokenHolds.id })
      .from(tokenHolds)
      .where(and(eq(tokenHolds.userId, accountId), eq(tokenHolds.status, 'OPEN')));
    return rows.map((row) => row.id);
  }

  async findExpiredHolds(executor: Executor, now: Date, limit: number): Promise<Pick<HoldRow, 'id' | 'userId'>[]> {
    return executor
      .select({ id: tokenHolds.id, userId: tokenHolds.userId })
      .from(tokenHolds)
      .where(and(eq(tokenHolds.status, 'OPEN'), lt(tokenHolds.expiresAt, now)))
      .orderBy(asc(tokenHolds.expiresAt))
      .limit(limit);
  }
}
