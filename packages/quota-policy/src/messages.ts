import type { UsageEvaluation } from './usage.js';

export type Locale = 'ko' | 'en';

function formatTokens(tokens: number, locale: Locale): string {
  return Math.max(0, Math.round(tokens)).toLocaleString(locale === 'ko' ? 'ko-KR' : 'en-US');
}

/** A percentage for people: whole, never negative, "< 1" rather than a misleading 0. */
export function formatPercent(percent: number): string {
  if (!(percent > 0)) return '0';
  if (percent < 1) return '< 1';
  return String(Math.round(percent));
}

/**
 * The warning sentence for a usage state. Unlike the report's `${100 - usagePercent}%`, it never
 * prints a negative or unrounded figure, and it says so when the grace zone is in use.
 */
export function usageMessage(usage: UsageEvaluation, locale: Locale = 'ko'): string {
  const ko = locale === 'ko';
  if (usage.level === 'BLOCKED') {
    return ko
      ? '토큰을 모두 사용했습니다. 토큰을 추가로 구매하면 바로 다시 상담할 수 있습니다.'
      : 'You have used all your tokens. Buy more tokens to continue right away.';
  }
  if (usage.consumedTokens >= usage.capacityTokens) {
    const graceTokens = formatTokens(usage.hardLimitTokens - usage.consumedTokens, locale);
    return ko
      ? `기본 제공량을 모두 사용하여 유예 구간을 사용 중입니다. 차단까지 ${graceTokens} 토큰 남았습니다. 초과 사용분은 다음 달 제공량에서 차감됩니다.`
      : `You have used your whole allowance and are now in the grace zone: ${graceTokens} tokens left before chat is paused. The overage is deducted from next month's allowance.`;
  }
  const percentLeft = formatPercent(100 - usage.usagePercent);
  const tokensLeft = formatTokens(usage.remainingTokens, locale);
  const turns = usage.estimatedTurns;
  return ko
    ? `토큰이 약 ${percentLeft}% 남았습니다 (${tokensLeft} 토큰, 약 ${turns}회 대화 가능).`
    : `About ${percentLeft}% of your tokens are left (${tokensLeft} tokens, about ${turns} more turns).`;
}
