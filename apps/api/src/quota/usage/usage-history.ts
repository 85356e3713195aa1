import { TZDate } from '@date-fns/tz';
import { addDays, format } from 'date-fns';

/** Daily figures for the last `days` local days ending today, with zeros for days without use. */
export function fillDays(rows: { day: string; tokens: number }[], now: Date, days: number, timeZone: string): { day: string; tokens: number }[] {
  const byDay = new Map(rows.map((row) => [row.day, row.tokens]));
  const today = new TZDate(now.getTime(), timeZone);
  const result: { day: string; tokens: number }[] = [];
  for (let offset = days - 1; offset >= 0; offset -= 1) {
    const day = format(addDays(today, -offset), 'yyyy-MM-dd');
    result.push({ day, tokens: byDay.get(day) ?? 0 });
  }
  return result;
}

/** The start of the local day `days − 1` days before today: where a daily series begins. */
export function seriesStart(now: Date, days: number, timeZone: string): Date {
  const today = new TZDate(now.getTime(), timeZone);
  const start = addDays(new TZDate(today.getFullYear(), today.getMonth(), today.getDate(), timeZone), -(days - 1));
  return new Date(start.getTime());
}

/** The local day (YYYY-MM-DD) that `instant` falls on. */
export function localDay(instant: Date, timeZone: string): string {
  return format(new TZDate(instant.getTime(), timeZone), 'yyyy-MM-dd');
}

/** The local time of `instant` in ISO 8601 with the zone's offset ("2026-11-10T12:00:00+09:00"). */
export function localTime(instant: Date, timeZone: string): string {
  return format(new TZDate(instant.getTime(), timeZone), "yyyy-MM-dd'T'HH:mm:ssXXX");
}

const parts = (day: string) => day.split('-').map(Number) as [number, number, number];

/** The day `days` calendar days after `day` (before, when negative). */
export function shiftDay(day: string, days: number): string {
  const [year, month, date] = parts(day);
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}

/** How many days from `firstDay` to `lastDay`, both counted (0 or less when `lastDay` comes first). */
export function daysFromTo(firstDay: string, lastDay: string): number {
  const [y1, m1, d1] = parts(firstDay);
  const [y2, m2, d2] = parts(lastDay);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000) + 1;
}

/** The instants a run of local days covers: from the start of `firstDay` to the start of the day after `lastDay`. */
export function localDaysSpan(firstDay: string, lastDay: string, timeZone: string): { start: Date; end: Date } {
  const [y1, m1, d1] = parts(firstDay);
  const [y2, m2, d2] = parts(lastDay);
  return { start: new Date(new TZDate(y1, m1 - 1, d1, timeZone).getTime()), end: new Date(new TZDate(y2, m2 - 1, d2 + 1, timeZone).getTime()) };
}
