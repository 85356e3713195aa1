/** The months a report can be asked for: this one (in Seoul, the quota's time zone) and the eleven before, newest first. */
export function recentMonths(now: Date, count = 12): string[] {
  const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit' }).format(now).split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, back) => {
    const index = (year * 12 + (month - 1)) - back;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  });
}

/** The heatmap's cells: tokens by (weekday, hour), Monday first, and the largest cell. */
export function heatmapCells(byHour: Record<string, number>): { cells: number[][]; peak: number } {
  const cells = Array.from({ length: 7 }, (_, day) => Array.from({ length: 24 }, (_, hour) => byHour[String(day * 24 + hour)] ?? 0));
  return { cells, peak: Math.max(0, ...cells.flat()) };
}
