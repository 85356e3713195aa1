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
