import { Inject, Injectable } from '@nestjs/common';
import { and, eq } from 'drizzle-orm';
import { READ_DATABASE, rowsOf, type DatabaseHandle } from '../database/database.js';
import { cohortReports, usageReports } from '../database/schema.js';
import { selectCohortFigures, selectMonthKept, toUsage, usageSelect, type MonthSpan, type UsageRow } from './reports.repository.js';
import type { MonthlyUsage } from './usage-report.js';

/**
 * What a request reads of the reports: kept months, and the month under way computed on demand
 * (by the job's own SQL). On the read pool — a replica with DATABASE_READ_URL, so a month the job
 * has just kept may show a few seconds later — never written.
 */
@Injectable()
export class ReportReadsRepository {
  constructor(@Inject(READ_DATABASE) private readonly database: DatabaseHandle) {}

  private get db() {
    return this.database.db;
  }

  /** One account's (one member's) month computed from the ledger now, by the job's own rule; null without turns. */
  async computeOne(span: MonthSpan, accountId: string, memberId: string): Promise<MonthlyUsage | null> {
    const [row] = rowsOf<UsageRow>(await this.db.execute(usageSelect(span, { accountId, memberId })));
    return row ? toUsage(row) : null;
  }

  /** One account's (one member's) month as the monthly job kept it; null when the job did not keep one. */
  async kept(month: string, accountId: string, memberId: string): Promise<MonthlyUsage | null> {
    const [row] = await this.db
      .select({
        tokens: usageReports.tokens,
        turns: usageReports.turns,
        activeDays: usageReports.activeDays,
        avgTokensPerTurn: usageReports.avgTokensPerTurn,
        p90TokensPerTurn: usageReports.p90TokensPerTurn,
        byDay: usageReports.byDay,
        byHour: usageReports.byHour,
        byModel: usageReports.byModel,
      })
      .from(usageReports)
      .where(and(eq(usageReports.month, month), eq(usageReports.accountId, accountId), eq(usageReports.memberId, memberId)));
    return row ?? null;
  }

  /** Whether the monthly job kept a month (its cohort report is written last). */
  monthKept(month: string): Promise<boolean> {
    return selectMonthKept(this.db, month);
  }

  /** The cohort figures of a month the job has not kept (or one under way), added up from the ledger now. */
  cohortFigures(span: MonthSpan): Promise<Record<string, unknown>> {
    return selectCohortFigures(this.db, span, false);
  }

  async keptCohort(month: string): Promise<Record<string, unknown> | null> {
    const [row] = await this.db.select().from(cohortReports).where(eq(cohortReports.month, month));
    return row?.data ?? null;
  }
}
