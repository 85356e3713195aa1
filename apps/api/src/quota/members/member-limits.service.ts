import { Injectable } from '@nestjs/common';
import type { Transaction } from '../../database/database.js';
import { HoldsService } from '../holds/holds.service.js';
import { LedgerRepository } from '../ledger/ledger.repository.js';
import { LedgerWriter } from '../ledger/ledger-writer.js';
import { inPeriod, memberRoom, memberUsagePercent, type MemberUsage } from './member-limit.js';
import { MemberUsageRepository } from './member-usage.repository.js';

/** A member's figures as people see them: used this period, held by turns in flight, and what is left under the limit. */
export interface MemberUsageFigures {
  monthlyLimitTokens: number | null;
  usedTokens: number;
  heldTokens: number;
  /** Null without a limit. */
  remainingTokens: number | null;
  /** Null without a limit. */
  usagePercent: number | null;
}

/**
 * Members' monthly limits in their organization's pool: joining, leaving and limit changes,
 * each under the pool's lock (the lock every reservation and settlement of the pool takes), so
 * a change never races a turn. The turns themselves are in HoldsService.
 */
@Injectable()
export class MemberLimitsService {
  constructor(
    private readonly repository: MemberUsageRepository,
    private readonly ledger: LedgerRepository,
    private readonly writer: LedgerWriter,
    private readonly holds: HoldsService,
  ) {}

  /** A member just added (in the caller's transaction) starts from what the pool's ledger already counts for them this period. */
  async join(tx: Transaction, organizationId: string, userId: string): Promise<void> {
    await this.ledger.lockAccount(tx, organizationId);
    await this.repository.startFromLedger(tx, organizationId, userId);
  }

  /** Before a member is removed (in the caller's transaction): their open holds are voided, and no turn of theirs starts until it commits. */
  leave(tx: Transaction, organizationId: string, userId: string): Promise<number> {
    return this.holds.voidMemberHolds(tx, organizationId, userId);
  }

  /** Sets a member's monthly limit (null: none); false when they are not a member. Turns in flight keep their holds. */
  async setLimit(tx: Transaction, organizationId: string, userId: string, monthlyLimitTokens: number | null): Promise<boolean> {
    await this.ledger.lockAccount(tx, organizationId);
    return this.repository.setLimit(tx, organizationId, userId, monthlyLimitTokens);
  }

  /** The figures of a member's usage row, seen in the current period. */
  figures(usage: MemberUsage): MemberUsageFigures {
    const current = inPeriod(usage, this.writer.currentPeriod().key);
    const room = memberRoom(current);
    return {
      monthlyLimitTokens: current.monthlyLimitTokens,
      usedTokens: current.consumedTokens,
      heldTokens: current.heldTokens,
      remainingTokens: Number.isFinite(room) ? room : null,
      usagePercent: memberUsagePercent(current),
    };
  }

  async figuresOf(organizationId: string, userId: string): Promise<MemberUsageFigures | null> {
    const usage = await this.repository.find(this.repository.db, organizationId, userId);
    return usage ? this.figures(usage) : null;
  }
}
