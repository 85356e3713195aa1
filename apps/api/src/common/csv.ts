/**
 * CSV for spreadsheets, pure (RFC 4180): text cells quoted, numbers bare, lines ended by CRLF.
 * A text cell that a spreadsheet would read as a formula (=, +, -, @, a tab or a carriage return
 * first) gets a leading apostrophe, so a name someone typed never runs in the reader's Excel.
 */

/** The byte order mark that makes Excel read the file as UTF-8 (Korean names intact). */
export const CSV_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

export type CsvValue = string | number | null | undefined;

/** One cell: a finite number as it is, text neutralized and quoted, nothing as an empty cell. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return String(value);
  }
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

/** One line of cells, CRLF included. */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
