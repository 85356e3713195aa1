import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { periodFromKey, periodOf, type Locale } from '@consult-on/quota-policy';
import { CLOCK, type Clock } from '../common/clock.js';
import { ValidationFailedError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import type { CohortReportView, UsageReportView } from './reports.dto.js';
import { ReportReadsRepository } from './report-reads.repository.js';
import { accountRanges, ReportsRepository, type MonthSpan } from './reports.repository.js';
import { comparison, EMPTY_USAGE, findings, forecast, previousMonth, type MonthlyUsage, type MonthProgress } from './usage-report.js';

const DAY_MS = 86_400_000;
/** The monthly job's parts (ranges of accounts, a transaction each) and how many run at once (the database's cores). */
const JOB_PARTS = 4;
const JOB_CONCURRENCY = 2;
/** How long a month under way stays computed (per account, per instance's cache). */
const CURRENT_TTL_MS = 5 * 60_000;

/**
 * Usage-pattern reports: a person's month (and, for an organization's owners and admins, a
 * member's), and the admins' cohort report. Past months come from the monthly job's tables; the
 * month under way is computed on demand and cached.
 */
@Injectable()
export class ReportsService {
  private readonly logger = new Logger(ReportsService.name);

  constructor(
    /** The monthly job's: it writes, on the primary. */
    private readonly repository: ReportsRepository,
    /** The requests': the read pool (a replica with DATABASE_READ_URL). */
    private readonly reads: ReportReadsRepository,
    private readonly organizations: OrganizationsService,
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The caller's own month. */
  mine(userId: string, month: string | undefined, locale: Locale): Promise<UsageReportView> {
    return this.report(userId, userId, month, locale);
  }

  /** A member's month in an organization's pool: for its owners and admins. */
  async member(userId: string, organizationId: string, memberId: string, month: string | undefined, locale: Locale): Promise<UsageReportView> {
    await this.organizations.assertManager(userId, organizationId);
    return this.report(organizationId, memberId, month, locale);
  }

  private async report(accountId: string, memberId: string, month: string | undefined, locale: Locale): Promise<UsageReportView> {
    const span = this.span(month);
    const progress = this.progress(span);
    const [usage, previous] = await Promise.all([this.usage(span, accountId, memberId), this.usage(this.span(previousMonth(span.month)), accountId, memberId)]);
    const before = previous.turns > 0 ? previous : null;
    return {
      month: span.month,
      days: progress.days,
      current: progress.elapsedDays < progress.days,
      usage,
      previous: before,
      change: comparison(usage, before, progress)?.change ?? null,
      forecastTokens: progress.elapsedDays < 1 ? null : forecast(usage, progress),
      findings: findings(usage, before, progress, locale),
    };
  }

  /**
   * The admins' cohort report of a month: kept by the monthly job, or (the month under way, or one
   * it has not run for) added up from the ledger now and cached — never written from a request.
   */
  async cohort(month: string | undefined): Promise<CohortReportView> {
    const span = this.span(month);
    const progress = this.progress(span);
    const current = progress.elapsedDays < progress.days;
    const kept = current ? null : await this.reads.keptCohort(span.month);
    if (kept) return this.cohortView(span.month, false, kept);
    const key = `reports:cohort:${span.month}:${current ? 'live' : 'final'}`;
    const cached = await this.cache.get<Record<string, unknown>>(key);
    if (cached) return this.cohortView(span.month, current, cached);
    const figures = await this.reads.cohortFigures(span);
    await this.cache.set(key, figures, this.config.statsCacheTtlSeconds * 1_000);
    return this.cohortView(span.month, current, figures);
  }

  /**
   * The monthly job: last month's usage reports for every account and member, then its cohort
   * report; and the cohort report of the month before again, now that the 30 days after its
   * warnings have passed (the purchases they led to). Safe to run again: it replaces what an
   * earlier run wrote.
   */
  async runMonthly(month?: string): Promise<Record<string, unknown>> {
    const span = this.span(month ?? previousMonth(periodOf(this.clock.now(), this.config.quota.timeZone).key));
    const started = performance.now();
    const rows = await this.keepMonth(span);
    await this.repository.analyzeReports();
    const kept = performance.now();
    await this.repository.keepCohort(span.month, await this.repository.cohortFigures(span));
    const before = this.span(previousMonth(span.month));
    if (await this.repository.monthKept(before.month)) await this.repository.keepCohort(before.month, await this.repository.cohortFigures(before));
    const result = { month: span.month, reports: rows, usageMs: Math.round(kept - started), cohortMs: Math.round(performance.now() - kept) };
    this.logger.log({ message: 'monthly usage reports kept', ...result });
    return result;
  }

  /** Every account's month into usage_reports, a range of accounts at a time, two ranges at once. */
  private async keepMonth(span: MonthSpan): Promise<number> {
    const ranges = accountRanges(JOB_PARTS);
    let rows = 0;
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < ranges.length; index = next++) {
        const started = performance.now();
        const kept = await this.repository.keepMonthPart(span, ranges[index]!);
        rows += kept;
        this.logger.log({ message: 'usage reports kept for a range of accounts', month: span.month, part: `${index + 1}/${ranges.length}`, rows: kept, ms: Math.round(performance.now() - started) });
      }
    };
    // Both workers end before a failure is reported: a retry never starts beside a part still running.
    const outcomes = await Promise.allSettled(Array.from({ length: JOB_CONCURRENCY }, worker));
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return rows;
  }

  private async usage(span: MonthSpan, accountId: string, memberId: string): Promise<MonthlyUsage> {
    const progress = this.progress(span);
    if (progress.elapsedDays <= 0) return EMPTY_USAGE;
    const current = progress.elapsedDays < progress.days;
    if (!current && (await this.reads.monthKept(span.month))) return (await this.reads.kept(span.month, accountId, memberId)) ?? EMPTY_USAGE;
    const key = `reports:usage:${span.month}:${current ? 'live' : 'final'}:${accountId}:${memberId}`;
    const cached = await this.cache.get<MonthlyUsage>(key);
    if (cached) return cached;
    const computed = (await this.reads.computeOne(span, accountId, memberId)) ?? EMPTY_USAGE;
    await this.cache.set(key, computed, current ? CURRENT_TTL_MS : this.config.statsCacheTtlSeconds * 1_000);
    return computed;
  }

  /** A month named YYYY-MM (default: this one), never one that has not begun. */
  private span(month: string | undefined): MonthSpan {
    const timeZone = this.config.quota.timeZone;
    const now = periodOf(this.clock.now(), timeZone);
    const key = month ?? now.key;
    if (key > now.key) throw new ValidationFailedError([{ field: 'month', problems: ['month must not be after this month'] }]);
    const period = periodFromKey(key, timeZone);
    return { month: key, start: period.start, end: period.end, timeZone };
  }

  private progress(span: MonthSpan): MonthProgress {
    const days = Math.round((span.end.getTime() - span.start.getTime()) / DAY_MS);
    const elapsed = (Math.min(this.clock.now().getTime(), span.end.getTime()) - span.start.getTime()) / DAY_MS;
    return { days, elapsedDays: Math.max(0, Math.min(days, elapsed)) };
  }

  private cohortView(month: string, current: boolean, figures: Record<string, unknown>): CohortReportView {
    const active = Number(figures.active ?? 0);
    const newUsers = Number(figures.new_users ?? 0);
    const tokens = Number(figures.tokens ?? 0);
    const warnings = (figures.warnings ?? {}) as Record<string, { users: number; bought: number }>;
    const share = (part: unknown) => (tokens > 0 ? Number(part ?? 0) / tokens : 0);
    return {
      month,
      current,
      activeUsers: active,
      newUsers,
      returningUsers: active - newUsers,
      tokens,
      plans: ((figures.plans ?? []) as Record<string, unknown>[]).map((plan) => ({
        plan: String(plan.plan),
        users: Number(plan.users),
        tokens: Number(plan.tokens),
        p50: Number(plan.p50),
        p90: Number(plan.p90),
        p99: Number(plan.p99),
      })),
      warnings: (['WARNING', 'CRITICAL', 'BLOCKED'] as const).map((level) => ({ level, users: warnings[`USAGE_${level}`]?.users ?? 0, bought: warnings[`USAGE_${level}`]?.bought ?? 0 })),
      top1Share: share(figures.top1_tokens),
      top10Share: share(figures.top10_tokens),
    };
  }
}
