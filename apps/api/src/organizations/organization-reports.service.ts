import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import type { CsvDownload } from '../common/csv-download.js';
import { ExportTooLargeError, ForbiddenError, NotFoundError, ValidationFailedError } from '../common/errors.js';
import { daysFromTo, localDay, localDaysSpan, shiftDay } from '../quota/usage/usage-history.js';
import { UsageReadsService } from '../quota/usage/usage-reads.service.js';
import type { DailyUsageView, LedgerPageView } from '../quota/usage/usage.dto.js';
import { UsageService } from '../quota/usage/usage.service.js';
import { LEDGER_CSV_HEAD, ledgerCsvFileNames, ledgerCsvLine } from './organization-ledger-csv.js';
import { managesMembers, mayReadUsageOf } from './organization-rules.js';
import { OrganizationsRepository } from './organizations.repository.js';

/** Days a member's series covers when the request does not say. */
const DEFAULT_SERIES_DAYS = 30;
/** Days an export covers when the request does not say: the last 30, today included. */
const DEFAULT_EXPORT_DAYS = 30;
/** The most days one export may cover. */
export const LEDGER_EXPORT_MAX_DAYS = 366;
/** The most entries one export may hold: far more than a year of a busy pool, small enough to stream in seconds. */
export const LEDGER_EXPORT_MAX_ROWS = 100_000;

/**
 * Reports on an organization's pool from its ledger (issue 15): a member's daily use, and the
 * pool's entries as a CSV file. Access as in OrganizationsService: outside the organization it does
 * not exist (404); a member reads only their own series (another's is 404, as if absent), and only
 * owners and admins export the ledger (403).
 */
@Injectable()
export class OrganizationReportsService {
  constructor(
    private readonly repository: OrganizationsRepository,
    private readonly usage: UsageService,
    private readonly reads: UsageReadsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A member's tokens of the pool per local day, oldest first, zeros included. */
  async memberDaily(userId: string, organizationId: string, memberId: string, days = DEFAULT_SERIES_DAYS): Promise<DailyUsageView[]> {
    await this.assertMayRead(userId, organizationId, memberId);
    return this.usage.daily(organizationId, days, memberId);
  }

  /** A member's entries in the pool, newest first (the history page in the organization's workspace). */
  async memberHistory(userId: string, organizationId: string, memberId: string, page: { limit?: number; before?: number }): Promise<LedgerPageView> {
    await this.assertMayRead(userId, organizationId, memberId);
    return this.usage.history(organizationId, page, memberId, userId);
  }

  /** Owners and admins read any member's use; a member their own; to anyone else it does not exist (404). */
  private async assertMayRead(userId: string, organizationId: string, memberId: string): Promise<void> {
    const db = this.repository.db;
    const actor = await this.repository.roleOf(db, organizationId, userId);
    if (!actor || !mayReadUsageOf(actor, userId, memberId)) throw new NotFoundError();
    if (memberId !== userId && !(await this.repository.roleOf(db, organizationId, memberId))) throw new NotFoundError();
  }

  /**
   * The pool's entries of the local days `from` to `to` as CSV (owners and admins). The range and
   * the row count are checked before anything is sent, so a refusal is an ordinary error body; the
   * entries are then read in batches as the client takes them.
   */
  async ledgerCsv(userId: string, organizationId: string, range: { from?: string; to?: string }): Promise<CsvDownload> {
    const db = this.repository.db;
    const actor = await this.repository.roleOf(db, organizationId, userId);
    if (!actor) throw new NotFoundError();
    if (!managesMembers(actor)) throw new ForbiddenError();
    const timeZone = this.reads.timeZone;
    const lastDay = range.to ?? localDay(this.clock.now(), timeZone);
    const firstDay = range.from ?? shiftDay(lastDay, -(DEFAULT_EXPORT_DAYS - 1));
    const days = daysFromTo(firstDay, lastDay);
    if (days < 1) throw new ValidationFailedError([{ field: 'from', problems: ['from must not be after to'] }]);
    if (days > LEDGER_EXPORT_MAX_DAYS) throw new ValidationFailedError([{ field: 'to', problems: [`the range must be at most ${LEDGER_EXPORT_MAX_DAYS} days`] }]);
    const span = localDaysSpan(firstDay, lastDay, timeZone);
    const extent = await this.reads.entriesExtent(organizationId, span);
    if (extent.rows > LEDGER_EXPORT_MAX_ROWS) throw new ExportTooLargeError(extent.rows, LEDGER_EXPORT_MAX_ROWS);
    const organization = (await this.repository.find(db, organizationId))!;
    const reads = this.reads;
    async function* chunks(): AsyncGenerator<string> {
      yield LEDGER_CSV_HEAD;
      if (extent.firstId === null || extent.lastId === null) return;
      for await (const rows of reads.entriesBetween(organizationId, { ...span, firstId: extent.firstId, lastId: extent.lastId })) {
        yield rows.map((row) => ledgerCsvLine(row, timeZone)).join('');
      }
    }
    return { fileName: ledgerCsvFileNames(organization.name, firstDay, lastDay), chunks: chunks() };
  }
}
