import { usageProblems } from '../../quota/verification/usage-books.js';
import { randomUUID } from 'node:crypto';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { balanceProblems, levelOf, usageBasisPoints } from '@consult-on/quota-policy';
import type { Cache } from 'cache-manager';
import type { Response } from 'express';
import { AuthService } from '../../auth/auth.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { CLOCK, type Clock } from '../../common/clock.js';
import { NotFoundError } from '../../common/errors.js';
import { CSV_BOM, csvCell } from '../../common/csv.js';
import { LedgerWriter } from '../../quota/ledger/ledger-writer.js';
import { UsageReadsService } from '../../quota/usage/usage-reads.service.js';
import { VerificationService } from '../../quota/verification/verification.service.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { toLedgerEntryView, UsageService } from '../../quota/usage/usage.service.js';
import { OrdersService } from '../../payments/orders.service.js';
import type { LedgerVerifyView, TokenStatsView, TopUserView, UserDetailView, UserPageView, UsersQuery } from './token-stats.dto.js';
import { TokenStatsRepository, type AccountUsageRow } from './token-stats.repository.js';

const VERSION_KEY = 'admin:token-stats:version';
const TOP_USERS = 100;
/** The organizations listed as the top of the period. */
const TOP_ORGANIZATIONS = 10;
const DAILY_DAYS = 90;
/** The version key outlives any cached figure, so an old version never comes back. */
const VERSION_TTL_MS = 30 * 86_400_000;

/**
 * Admin statistics (SPEC section 6). Computed by aggregate SQL and cached for ten minutes in
 * the shared cache; clearing bumps a version key, so every instance sees the clear at once.
 */
@Injectable()
export class TokenStatsService {
  private readonly logger = new Logger(TokenStatsService.name);
  /** Computations in flight per cache key: concurrent misses share one. */
  private readonly inFlight = new Map<string, Promise<TokenStatsView>>();

  constructor(
    private readonly repository: TokenStatsRepository,
    private readonly auth: AuthService,
    private readonly ledger: LedgerWriter,
    private readonly reads: UsageReadsService,
    private readonly verification: VerificationService,
    private readonly usage: UsageService,
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: MetricsService,
    private readonly orders: OrdersService,
  ) {}

  async stats(periodKey?: string): Promise<TokenStatsView> {
    const current = this.ledger.currentPeriod().key;
    const period = periodKey ?? current;
    if (period > current) throw new NotFoundError();
    const version = (await this.cacheGet<string>(VERSION_KEY)) ?? '0';
    const key = `admin:token-stats:${version}:${period}`;
    const hit = await this.cacheGet<TokenStatsView>(key);
    this.metrics.cacheLookups.inc({ result: hit ? 'hit' : 'miss' });
    if (hit) return { ...hit, cached: true };
    let pending = this.inFlight.get(key);
    if (!pending) {
      // The computation stays in flight until its result is in the cache: a request between
      // the two would otherwise miss and compute again.
      pending = this.compute(period, period === current)
        .then(async (view) => {
          await this.cacheSet(key, view, this.config.statsCacheTtlSeconds * 1_000);
          return view;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return { ...(await pending), cached: false };
  }

  async clearCache(): Promise<void> {
    this.inFlight.clear();
    await this.cacheSet(VERSION_KEY, randomUUID(), VERSION_TTL_MS);
  }

  async userDetail(userId: string, page: { limit?: number; before?: number }): Promise<UserDetailView> {
    const user = await this.auth.findUser(userId);
    if (!user) throw new NotFoundError();
    const [usage, history, adjustments, dailyUsage, counts] = await Promise.all([
      this.usage.usage(userId, 'ko'),
      this.usage.history(userId, { limit: page.limit ?? 50, before: page.before }),
      this.reads.adjustments(userId),
      this.reads.dailyUsage(userId, DAILY_DAYS),
      this.repository.counts(userId),
    ]);
    return {
      userId: user.id,
      email: user.email,
      role: user.role,
      createdAt: user.createdAt,
      suspended: user.suspended,
      deleted: user.deleted,
      usage,
      ledger: history.items,
      ledgerNextCursor: history.nextCursor,
      adjustments: adjustments.map(toLedgerEntryView),
      dailyUsage,
      ...counts,
    };
  }

  async searchUsers(query: UsersQuery): Promise<UserPageView> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const { rows, total } = await this.repository.searchUsers(
      { query: query.query, level: query.level, sort: query.sort ?? 'usage', offset: (page - 1) * pageSize, limit: pageSize },
      this.ledger.currentPeriod().key,
      this.config.quota,
    );
    return { items: rows.map((row) => this.toUser(row)), total, page, pageSize };
  }

  /** Balances = Σ ledger for every account, no negative bucket, no expired hold left open. */
  async verifyLedger(): Promise<LedgerVerifyView> {
    const [unbalanced, unbalancedMembers, unbalancedKeys, expiredOpenHolds, accountsChecked, payments] = await Promise.all([
      this.verification.verify(),
      this.verification.verifyMembers(),
      this.verification.verifyApiKeys(),
      this.repository.expiredOpenHolds(new Date(this.clock.now().getTime() - 60_000)),
      this.repository.accountCount(),
      this.orders.grantMismatches(),
    ]);
    const accounts = unbalanced.map((row) => {
      const problems: string[] = [];
      const pairs: [string, number, number][] = [
        ['free', row.freeTokens, row.ledgerFreeTokens],
        ['purchased', row.purchasedTokens, row.ledgerPurchasedTokens],
        ['overage', row.debtTokens, row.ledgerDebtTokens],
        ['held', row.heldTokens, row.ledgerHeldTokens],
        ['capacity', row.periodCapacityTokens, row.ledgerCapacityTokens],
        ['consumed', row.periodConsumedTokens, row.ledgerConsumedTokens],
      ];
      for (const [name, stored, summed] of pairs) if (stored !== summed) problems.push(`${name}: balance ${stored} ≠ Σ ledger ${summed}`);
      if (row.heldTokens !== row.openHoldTokens) problems.push(`held ${row.heldTokens} ≠ open holds ${row.openHoldTokens}`);
      if (row.openHolds !== row.openHoldCount) problems.push(`turns in flight ${row.openHolds} ≠ open holds ${row.openHoldCount}`);
      problems.push(...balanceProblems({ freeTokens: row.freeTokens, purchasedTokens: row.purchasedTokens, debtTokens: row.debtTokens, heldTokens: row.heldTokens, periodCapacityTokens: row.periodCapacityTokens, periodConsumedTokens: row.periodConsumedTokens }));
      return { userId: row.userId, problems };
    });
    const members = unbalancedMembers.map((row) => ({ organizationId: row.organizationId, userId: row.userId, problems: usageProblems(row) }));
    const apiKeys = unbalancedKeys.map((row) => ({ keyId: row.keyId, problems: usageProblems(row) }));
    return {
      ok: accounts.length === 0 && members.length === 0 && apiKeys.length === 0 && expiredOpenHolds === 0 && payments.length === 0,
      accountsChecked,
      accounts,
      members,
      apiKeys,
      expiredOpenHolds,
      payments,
      checkedAt: this.clock.now().toISOString(),
    };
  }

  /** Streams users as CSV: the top 100, or every account in batches (memory stays flat). */
  async exportCsv(scope: 'top' | 'all', response: Response): Promise<void> {
    const period = this.ledger.currentPeriod().key;
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    response.setHeader('content-disposition', `attachment; filename="token-stats-${period}-${scope}.csv"`);
    response.write(CSV_BOM + 'userId,email,usedTokens,usagePercent,purchasedTokens,level,lastActiveAt\n');
    const write = (rows: AccountUsageRow[]) => {
      for (const row of rows) {
        const user = this.toUser(row);
        response.write(
          [user.userId, csvCell(user.email), user.usedTokens, user.usagePercent, user.purchasedTokens, user.level, user.lastActiveAt ?? ''].join(',') + '\n',
        );
      }
    };
    if (scope === 'top') write(await this.repository.topUsers(period, true, TOP_USERS));
    else for await (const rows of this.repository.allUsers(period)) write(rows);
    response.end();
  }

  private async compute(period: string, current: boolean): Promise<TokenStatsView> {
    const [aggregates, purchased, top, organizations, topOrganizations] = await Promise.all([
      this.repository.aggregates(period, current),
      this.repository.purchasedInPeriod(period),
      this.repository.topUsers(period, current, TOP_USERS),
      this.repository.organizationAggregates(period, current),
      this.repository.topOrganizations(period, current, TOP_ORGANIZATIONS),
    ]);
    const { totalUsers, activeUsers, totalUsedTokens, byPlan, ...distribution } = aggregates;
    return {
      period,
      overview: {
        totalUsers,
        activeUsers,
        totalUsedTokens,
        totalPurchasedTokens: purchased,
        averageUsedTokens: activeUsers > 0 ? Math.round(totalUsedTokens / activeUsers) : 0,
      },
      distribution,
      plans: byPlan,
      topUsers: top.map((row) => this.toUser(row)),
      organizations: {
        total: organizations.total,
        active: organizations.active,
        usedTokens: organizations.usedTokens,
        plans: organizations.byPlan,
        top: topOrganizations.map((row) => ({
          organizationId: row.organizationId,
          name: row.name,
          planId: row.planId,
          members: row.members,
          usedTokens: row.usedTokens,
          usagePercent: usageBasisPoints(row.usedTokens, row.capacityTokens) / 100,
          level: levelOf(row.usedTokens, row.capacityTokens, this.config.quota),
        })),
      },
      generatedAt: this.clock.now().toISOString(),
      cached: false,
    };
  }

  private toUser(row: AccountUsageRow): TopUserView {
    return {
      userId: row.userId,
      email: row.email,
      usedTokens: row.usedTokens,
      usagePercent: usageBasisPoints(row.usedTokens, row.capacityTokens) / 100,
      purchasedTokens: row.purchasedTokens,
      level: levelOf(row.usedTokens, row.capacityTokens, this.config.quota),
      lastActiveAt: row.lastActiveAt?.toISOString() ?? null,
    };
  }

  /** The cache is an optimisation: when it fails the answer comes from the database. */
  private async cacheGet<T>(key: string): Promise<T | undefined> {
    try {
      return (await this.cache.get<T>(key)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  private async cacheSet(key: string, value: unknown, ttlMs: number): Promise<void> {
    try {
      await this.cache.set(key, value, ttlMs);
    } catch (error) {
      this.logger.debug?.({ message: 'cache write failed', error: String(error) });
    }
  }
}
