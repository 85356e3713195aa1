/** The date groups of the conversation list, newest first: 오늘 / 어제 / 지난 7일 / 이전. */
export const DATE_GROUPS = ['today', 'yesterday', 'week', 'older'] as const;
export type DateGroup = (typeof DATE_GROUPS)[number];

/** Midnight of the local day `days` days before `now`'s (calendar days: a DST change is still one day). */
function localMidnight(now: Date, days = 0): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - days).getTime();
}

/**
 * Which group a moment falls in, by the reader's local day: today, yesterday, the 7 days before
 * today (yesterday excluded), or older. A moment ahead of the reader's clock counts as today.
 */
export function dateGroupOf(iso: string, now: Date): DateGroup {
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return 'older';
  if (at >= localMidnight(now)) return 'today';
  if (at >= localMidnight(now, 1)) return 'yesterday';
  if (at >= localMidnight(now, 7)) return 'week';
  return 'older';
}

/** Items in their date groups, in the groups' order, each keeping the items' own order; empty groups left out. */
export function groupByDate<T extends { updatedAt: string }>(items: readonly T[], now: Date): { group: DateGroup; items: T[] }[] {
  const byGroup = new Map<DateGroup, T[]>();
  for (const item of items) {
    const group = dateGroupOf(item.updatedAt, now);
    const list = byGroup.get(group);
    if (list) list.push(item);
    else byGroup.set(group, [item]);
  }
  return DATE_GROUPS.filter((group) => byGroup.has(group)).map((group) => ({ group, items: byGroup.get(group)! }));
}
