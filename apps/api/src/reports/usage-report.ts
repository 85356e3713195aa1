/**
 * The usage report's rules, pure: the figures a month of turns gives, the comparison with the
 * month before, the forecast of a month under way and the findings in plain words.
 */

/** A month of one account's (or member's) turns. */
export interface MonthlyUsage {
  tokens: number;
  turns: number;
  activeDays: number;
  avgTokensPerTurn: number;
  p90TokensPerTurn: number;
  /** Tokens by day of the month ("1"…"31"); days without use are absent. */
  byDay: Record<string, number>;
  /** Tokens by (ISO weekday − 1) × 24 + hour ("0"…"167"): Monday 00 h is 0, Sunday 23 h is 167. */
  byHour: Record<string, number>;
  byModel: Record<string, number>;
}

export const EMPTY_USAGE: MonthlyUsage = { tokens: 0, turns: 0, activeDays: 0, avgTokensPerTurn: 0, p90TokensPerTurn: 0, byDay: {}, byHour: {}, byModel: {} };

/** Where a month is: its days, and for the current one how many have begun (a fraction of the last). */
export interface MonthProgress {
  days: number;
  /** Days elapsed, with the current one's fraction (days when the month is over). */
  elapsedDays: number;
}

export type Locale = 'ko' | 'en';

/** Parts of the week a finding can name: weekdays or the weekend, by part of the day. */
const PARTS = [
  { key: 'night', from: 0, to: 6, ko: '새벽', en: 'nights' },
  { key: 'morning', from: 6, to: 12, ko: '오전', en: 'mornings' },
  { key: 'afternoon', from: 12, to: 18, ko: '오후', en: 'afternoons' },
  { key: 'evening', from: 18, to: 24, ko: '저녁', en: 'evenings' },
] as const;

/** A share at or above this is worth a finding about when the tokens go. */
const CONCENTRATION = 0.4;
/** A pace this different from last month's (±) is worth saying. */
const PACE_CHANGE = 0.1;

/** The month before `month` (YYYY-MM). */
export function previousMonth(month: string): string {
  const [year, index] = month.split('-').map(Number) as [number, number];
  return index === 1 ? `${year - 1}-12` : `${year}-${String(index - 1).padStart(2, '0')}`;
}

/** Tokens of the month's first `days` days (a fraction of the last counts as that share of it). */
export function tokensWithin(usage: MonthlyUsage, days: number): number {
  let total = 0;
  for (const [day, tokens] of Object.entries(usage.byDay)) {
    const index = Number(day);
    if (index <= Math.floor(days)) total += tokens;
    else if (index === Math.floor(days) + 1) total += tokens * (days - Math.floor(days));
  }
  return Math.round(total);
}

/** The month's expected total at its pace so far (whole tokens); the total itself once it is over. */
export function forecast(usage: MonthlyUsage, progress: MonthProgress): number {
  if (progress.elapsedDays >= progress.days) return usage.tokens;
  if (progress.elapsedDays <= 0) return 0;
  return Math.round((usage.tokens / progress.elapsedDays) * progress.days);
}

/** The busiest part of the week: its share of the tokens and which part it is. */
export function busiestPart(usage: MonthlyUsage): { weekend: boolean; part: (typeof PARTS)[number]; share: number } | null {
  if (usage.tokens <= 0) return null;
  let best: { weekend: boolean; part: (typeof PARTS)[number]; share: number } | null = null;
  for (const weekend of [false, true]) {
    for (const part of PARTS) {
      let tokens = 0;
      for (const [slot, value] of Object.entries(usage.byHour)) {
        const index = Number(slot);
        const day = Math.floor(index / 24);
        const hour = index % 24;
        if (day >= 5 === weekend && hour >= part.from && hour < part.to) tokens += value;
      }
      const share = tokens / usage.tokens;
      if (!best || share > best.share) best = { weekend, part, share };
    }
  }
  return best;
}

/**
 * How this month compares with the one before: the change of its total (a month over), or of its
 * pace — tokens by the same day of the month (a month under way). Null without a month before.
 */
export function comparison(current: MonthlyUsage, previous: MonthlyUsage | null, progress: MonthProgress): { change: number; pace: boolean } | null {
  if (!previous || previous.tokens <= 0) return null;
  const pace = progress.elapsedDays < progress.days;
  // A pace needs a day at least: after a few hours it says more about the hour than the month.
  if (pace && progress.elapsedDays < 1) return null;
  const before = pace ? tokensWithin(previous, progress.elapsedDays) : previous.tokens;
  if (before <= 0) return null;
  return { change: current.tokens / before - 1, pace };
}

const percent = (share: number) => Math.round(Math.abs(share) * 100);
const number = (value: number, locale: Locale) => new Intl.NumberFormat(locale === 'ko' ? 'ko-KR' : 'en-US').format(value);

/** The findings in plain words, most telling first (at most four). */
export function findings(current: MonthlyUsage, previous: MonthlyUsage | null, progress: MonthProgress, locale: Locale): string[] {
  const said: string[] = [];
  if (current.turns === 0) return [locale === 'ko' ? '이 달에는 AI 상담을 이용하지 않았습니다.' : 'No chat in this month.'];
  const busiest = busiestPart(current);
  if (busiest && busiest.share >= CONCENTRATION) {
    said.push(
      locale === 'ko'
        ? `${busiest.weekend ? '주말' : '평일'} ${busiest.part.ko}에 사용량의 ${percent(busiest.share)}%가 몰립니다.`
        : `${percent(busiest.share)}% of your usage falls on ${busiest.weekend ? 'weekend' : 'weekday'} ${busiest.part.en}.`,
    );
  }
  const compared = comparison(current, previous, progress);
  if (compared && Math.abs(compared.change) >= PACE_CHANGE) {
    const faster = compared.change > 0;
    said.push(
      compared.pace
        ? locale === 'ko'
          ? `이번 달은 지난달보다 ${percent(compared.change)}% ${faster ? '빠르게' : '느리게'} 사용 중입니다.`
          : `This month you are using tokens ${percent(compared.change)}% ${faster ? 'faster' : 'slower'} than last month.`
        : locale === 'ko'
          ? `전달보다 ${percent(compared.change)}% ${faster ? '더 많이' : '더 적게'} 사용했습니다.`
          : `You used ${percent(compared.change)}% ${faster ? 'more' : 'less'} than the month before.`,
    );
  }
  if (progress.elapsedDays >= 1 && progress.elapsedDays < progress.days) {
    const expected = forecast(current, progress);
    said.push(locale === 'ko' ? `지금 속도라면 이번 달에 약 ${number(expected, locale)}토큰을 쓰게 됩니다.` : `At this pace you will use about ${number(expected, locale)} tokens this month.`);
  }
  const models = Object.entries(current.byModel).sort((a, b) => b[1] - a[1]);
  if (models.length > 1 && models[0]![1] / current.tokens >= 0.5) {
    const [model, tokens] = models[0]!;
    said.push(locale === 'ko' ? `${model} 모델이 사용량의 ${percent(tokens / current.tokens)}%를 차지합니다.` : `${model} accounts for ${percent(tokens / current.tokens)}% of your usage.`);
  }
  return said.slice(0, 4);
}

