import { CSV_BOM, csvLine } from '../common/csv.js';
import { localTime } from '../quota/usage/usage-history.js';
import type { LedgerExportRow } from '../quota/usage/usage-reads.service.js';

/**
 * The pool's ledger as CSV, pure: one line per entry with the figures of the JSON ledger view
 * (`LedgerEntryView`), the time in UTC and in the quota's time zone, and the member whose turn it
 * was. Never a conversation's contents: a turn's entry names no more than its member.
 */
export const LEDGER_CSV_COLUMNS = [
  'id',
  'createdAt',
  'createdAtLocal',
  'kind',
  'period',
  'memberEmail',
  'amountTokens',
  'freeDelta',
  'purchasedDelta',
  'overageDelta',
  'heldDelta',
  'reason',
] as const;

/** The start of the file: the byte order mark and the header row. */
export const LEDGER_CSV_HEAD = `${CSV_BOM}${LEDGER_CSV_COLUMNS.join(',')}\r\n`;

export function ledgerCsvLine(entry: LedgerExportRow, timeZone: string): string {
  return csvLine([
    entry.id,
    entry.createdAt.toISOString(),
    localTime(entry.createdAt, timeZone),
    entry.kind,
    entry.periodKey,
    entry.memberEmail,
    entry.amountTokens,
    entry.freeDelta,
    entry.purchasedDelta,
    entry.debtDelta,
    entry.heldDelta,
    entry.reason,
  ]);
}

/** The file's name: the organization's and the days' (`filename*`), and a plain ASCII one for old clients. */
export function ledgerCsvFileNames(organizationName: string, firstDay: string, lastDay: string): { ascii: string; unicode: string } {
  return { ascii: `ledger-${firstDay}-${lastDay}.csv`, unicode: `${organizationName} ${firstDay}~${lastDay}.csv` };
}
