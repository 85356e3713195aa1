import { Injectable } from '@nestjs/common';
import type { UsageLevel } from '@consult-on/quota-policy';
import type { Transaction } from '../../database/database.js';
import type { LedgerEntryKind } from '../../database/schema.js';

export interface UsageSnapshot {
  level: UsageLevel;
  usagePercent: number;
  remainingTokens: number;
}

/** A change of an account's usage level, seen inside the transaction that caused it. */
export interface LevelChange {
  /** The account: a user's, or an organization's pool (then `organizationId` equals it). */
  userId: string;
  organizationId: string | null;
  periodKey: string;
  before: UsageSnapshot;
  after: UsageSnapshot;
  /** The kinds of the entries that caused it (empty for a reset alone). */
  causes: LedgerEntryKind[];
  now: Date;
}

/** A member's use of their organization's pool reached 90 % or 100 % of their monthly limit, seen inside the settlement's transaction. */
export interface MemberLimitReached {
  organizationId: string;
  userId: string;
  periodKey: string;
  threshold: 90 | 100;
  usagePercent: number;
  remainingTokens: number;
  now: Date;
}

export interface LevelChangeListener {
  onLevelChange(tx: Transaction, change: LevelChange): Promise<void>;
  onMemberLimit?(tx: Transaction, reached: MemberLimitReached): Promise<void>;
}

/**
 * Lets other domains react to level changes in the ledger's own transaction (a transactional
 * outbox: a rolled-back turn notifies nobody) without the ledger depending on them.
 */
@Injectable()
export class LevelChangeHub {
  private readonly listeners: LevelChangeListener[] = [];

  register(listener: LevelChangeListener): void {
    this.listeners.push(listener);
  }

  async emit(tx: Transaction, change: LevelChange): Promise<void> {
    for (const listener of this.listeners) await listener.onLevelChange(tx, change);
  }

  async emitMemberLimit(tx: Transaction, reached: MemberLimitReached): Promise<void> {
    for (const listener of this.listeners) await listener.onMemberLimit?.(tx, reached);
  }
}
