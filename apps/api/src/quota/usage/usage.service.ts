import { Inject, Injectable } from '@nestjs/common';
import { usageMessage, type Locale } from '@consult-on/quota-policy';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { PlanCatalog } from '../../plans/plan-catalog.js';
import { AccountsService } from '../accounts/accounts.service.js';
import type { LedgerEntryRow } from '../ledger/ledger.repository.js';
import { purchaseUrl } from '../purchase-url.js';
import { UsageReadsService } from './usage-reads.service.js';
import type { DailyUsageView, LedgerEntryView, LedgerPageView, UsageView } from './usage.dto.js';

const WARNED_LEVELS = new Set(['WARNING', 'CRITICAL', 'BLOCKED']);
const PURCHASE_LEVELS = new Set(['NOTICE', 'WARNING', 'CRITICAL', 'BLOCKED']);

/** `conversationId`: the entry's conversation when the reader looked it up (the user's history does). */
export function toLedgerEntryView(entry: LedgerEntryRow & { conversationId?: string | null; memberEmail?: string | null }): LedgerEntryView {
  return {
    id: entry.id,
    kind: entry.kind,
    period: entry.periodKey,
    amountTokens: entry.amountTokens,
    freeDelta: entry.freeDelta,
    purchasedDelta: entry.purchasedDelta,
    overageDelta: entry.debtDelta,
    heldDelta: entry.heldDelta,
    holdId: entry.holdId,
    paymentId: entry.paymentId,
    actorId: entry.actorId,
    reason: entry.reason,
    metadata: entry.metadata ?? null,
    conversationId: entry.conversationId ?? null,
    memberEmail: entry.memberEmail ?? null,
    createdAt: entry.createdAt.toISOString(),
  };
}

/** An entry of someone else's turn: no link to, nor id of, their conversation. */
function withoutConversation<T extends LedgerEntryRow & { conversationId?: string | null }>(entry: T): T {
  const { conversationId: _dropped, ...metadata } = (entry.metadata ?? {}) as Record<string, unknown>;
  return { ...entry, conversationId: null, metadata: entry.metadata ? metadata : null };
}

/** Shapes ledger state into what people see: the usage card and the history table. */
@Injectable()
export class UsageService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly reads: UsageReadsService,
    private readonly plans: PlanCatalog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async usage(userId: string, locale: Locale): Promise<UsageView> {
    const { balances, usage, period } = await this.accounts.usage(userId);
    const policy = this.config.quota;
    return {
      level: usage.level,
      usagePercent: usage.usagePercent,
      usedTokens: usage.consumedTokens,
      remainingTokens: usage.remainingTokens,
      totalAvailable: usage.capacityTokens,
      freeTokens: balances.freeTokens,
      purchasedTokens: balances.purchasedTokens,
      overageTokens: balances.debtTokens,
      heldTokens: balances.heldTokens,
      graceInUse: usage.graceInUse,
      chatAllowed: usage.level !== 'BLOCKED' && usage.reservableTokens > 0,
      showPurchaseButton: PURCHASE_LEVELS.has(usage.level),
      estimatedTurns: usage.estimatedTurns,
      averageTokensPerTurn: usage.averageTokensPerTurn,
      period: period.key,
      periodStart: period.start.toISOString(),
      nextResetAt: period.end.toISOString(),
      timeZone: policy.timeZone,
      thresholds: {
        notice: policy.noticeBasisPoints / 100,
        warning: policy.warningBasisPoints / 100,
        critical: policy.criticalBasisPoints / 100,
        block: policy.blockBasisPoints / 100,
      },
      message: WARNED_LEVELS.has(usage.level) ? usageMessage(usage, locale) : null,
      purchaseUrl: purchaseUrl(this.config),
      forecast: await this.reads.forecast(userId, balances),
      plan: {
        id: balances.planId,
        name: await this.plans.name(balances.planId, locale),
        nextId: balances.nextPlanId,
        nextName: balances.nextPlanId ? await this.plans.name(balances.nextPlanId, locale) : null,
      },
    };
  }

  /** The same daily series the forecast and the admin detail use, computed in the database over the whole period asked; with `memberId`, one member's in a pool. */
  daily(userId: string, days: number, memberId?: string): Promise<DailyUsageView[]> {
    return this.reads.dailyUsage(userId, days, memberId);
  }

  /**
   * An account's ledger, newest first; with `memberId`, one member's entries in a pool. A pool's
   * entries are read by `viewer`: another member's turn says which conversation it was only to
   * that member (owners and admins see the use, never the conversations).
   */
  async history(userId: string, page: { limit?: number; before?: number }, memberId?: string, viewer?: string): Promise<LedgerPageView> {
    const limit = page.limit ?? 20;
    const entries = await this.reads.history(userId, { limit, beforeId: page.before }, memberId);
    return {
      items: entries.map((entry) => toLedgerEntryView(viewer !== undefined && entry.memberId !== null && entry.memberId !== viewer ? withoutConversation(entry) : entry)),
      nextCursor: entries.length === limit ? entries[entries.length - 1]!.id : null,
    };
  }
}
