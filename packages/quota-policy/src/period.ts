import { TZDate } from '@date-fns/tz';

/** One quota period: a calendar month in the policy's time zone, [start, end). */
export interface QuotaPeriod {
  key: string;
  start: Date;
  end: Date;
}

function monthPeriod(year: number, monthIndex: number, timeZone: string): QuotaPeriod {
  const start = new TZDate(year, monthIndex, 1, 0, 0, 0, 0, timeZone);
  const end = new TZDate(year, monthIndex + 1, 1, 0, 0, 0, 0, timeZone);
  const key = `${start.getFullYear()}-${String(start.getMonth() + 1).padStart(2, '0')}`;
  return { key, start: new Date(start.getTime()), end: new Date(end.getTime()) };
}

/** The period that contains `instant`. */
export function periodOf(instant: Date, timeZone: string): QuotaPeriod {
  const local = new TZDate(instant.getTime(), timeZone);
  return monthPeriod(local.getFullYear(), local.getMonth(), timeZone);
}

/** 00:00 of the period's `day`-th day (1 = its start) in the policy's time zone. */
export function dayOfPeriod(period: QuotaPeriod, day: number, timeZone: string): Date {
  const start = new TZDate(period.start.getTime(), timeZone);
  return new Date(new TZDate(start.getFullYear(), start.getMonth(), day, 0, 0, 0, 0, timeZone).getTime());
}

const PERIOD_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriodKey(value: string): boolean {
  return PERIOD_KEY.test(value);
}

/** The period named by a `YYYY-MM` key. */
export function periodFromKey(key: string, timeZone: string): QuotaPeriod {
  const match = PERIOD_KEY.exec(key);
  if (!match) throw new RangeError(`Not a period key (YYYY-MM): ${key}`);
  return monthPeriod(Number(match[1]), Number(match[2]) - 1, timeZone);
}

/** Whole periods from `fromKey` to `toKey` (0 when equal, negative when `toKey` is earlier). */
export function periodsBetween(fromKey: string, toKey: string): number {
  const [fromYear, fromMonth] = fromKey.split('-').map(Number) as [number, number];
  const [toYear, toMonth] = toKey.split('-').map(Number) as [number, number];
  return (toYear - fromYear) * 12 + (toMonth - fromMonth);
}
