import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { I18nProvider } from '@/lib/i18n';
import type { Level, UsageView } from '@consult-on/api-contract';
import { ko } from '@/messages/ko';
import { UsageBanner, UsageCard } from './UsageCard';

const capacityTokens = 100_000;

/** The usage the API reports at `usagePercent` of a 100,000-token month (thresholds 80 / 90 / 95 / 105 %). */
function usageAt(level: Level, usagePercent: number): UsageView {
  const usedTokens = Math.round((capacityTokens * usagePercent) / 100);
  return {
    level,
    usagePercent,
    usedTokens,
    remainingTokens: capacityTokens - usedTokens,
    totalAvailable: capacityTokens,
    freeTokens: Math.max(0, capacityTokens - usedTokens),
    purchasedTokens: 0,
    overageTokens: Math.max(0, usedTokens - capacityTokens),
    heldTokens: 0,
    graceInUse: usagePercent > 100,
    chatAllowed: level !== 'BLOCKED',
    showPurchaseButton: level !== 'NORMAL',
    estimatedTurns: 10,
    averageTokensPerTurn: 1_000,
    period: '2025-06',
    periodStart: '2025-05-31T15:00:00.000Z',
    nextResetAt: '2025-06-30T15:00:00.000Z',
    timeZone: 'Asia/Seoul',
    thresholds: { notice: 80, warning: 90, critical: 95, block: 105 },
    message: null,
    purchaseUrl: '/purchase/',
    forecast: { burnRatePerDay: 0, dailySpread: 0, reach100At: null, reach105At: null, reach100Range: { earliest: null, latest: null }, resetComesFirst: true, sampleDays: 0 },
    plan: { id: 'free', name: '무료', nextId: null, nextName: null },
  };
}

function renderUsage(usage: UsageView) {
  return render(
    <I18nProvider>
      <UsageBanner usage={usage} />
      <UsageCard usage={usage} />
    </I18nProvider>,
  );
}

interface Expected {
  level: Level;
  usagePercent: number;
  label: string;
  bar: string;
  percentColour: string;
  banner: { text: string; colour: string } | null;
  purchaseColour: string | null;
  chat: 'link' | 'disabled';
}

const cases: Expected[] = [
  { level: 'NORMAL', usagePercent: 12, label: ko.levelNORMAL, bar: 'bg-green-600', percentColour: 'text-green-800', banner: null, purchaseColour: null, chat: 'link' },
  { level: 'NOTICE', usagePercent: 84, label: ko.levelNOTICE, bar: 'bg-yellow-500', percentColour: 'text-yellow-800', banner: null, purchaseColour: 'btn-primary', chat: 'link' },
  {
    level: 'WARNING',
    usagePercent: 92,
    label: ko.levelWARNING,
    bar: 'bg-orange-500',
    percentColour: 'text-orange-800',
    banner: { text: ko.warningBanner, colour: 'bg-orange-100' },
    purchaseColour: 'btn-primary',
    chat: 'link',
  },
  {
    level: 'CRITICAL',
    usagePercent: 97,
    label: ko.levelCRITICAL,
    bar: 'bg-red-600',
    percentColour: 'text-red-700',
    banner: { text: ko.criticalBanner, colour: 'bg-red-100' },
    purchaseColour: 'btn-primary',
    chat: 'link',
  },
  {
    level: 'BLOCKED',
    usagePercent: 105,
    label: ko.levelBLOCKED,
    bar: 'bg-red-800',
    percentColour: 'text-red-800',
    banner: { text: ko.blockedBanner, colour: 'bg-red-700' },
    purchaseColour: 'btn-primary',
    chat: 'disabled',
  },
];

describe('UsageCard and UsageBanner', () => {
  for (const expected of cases) {
    it(`${expected.level} at ${expected.usagePercent} %: label, colours, banner and actions`, () => {
      renderUsage(usageAt(expected.level, expected.usagePercent));
      const card = screen.getByTestId('usage-card');
      expect(card).toHaveAttribute('data-level', expected.level);
      expect(within(card).getByText(expected.label)).toBeInTheDocument();
      expect(screen.getByTestId('usage-percent')).toHaveTextContent(`${expected.usagePercent}%`);
      expect(screen.getByTestId('usage-percent')).toHaveClass(expected.percentColour);
      expect(screen.getByTestId('usage-bar')).toHaveClass(expected.bar);
      expect(screen.getByTestId('usage-bar')).toHaveStyle({ width: `${Math.min(100, expected.usagePercent)}%` });

      if (expected.banner) {
        const banner = screen.getByTestId('usage-banner');
        expect(banner).toHaveAttribute('data-level', expected.level);
        expect(banner).toHaveClass(expected.banner.colour);
        expect(banner).toHaveTextContent(expected.banner.text);
        expect(within(banner).getByRole('link', { name: ko.buyTokens })).toHaveAttribute('href', '/purchase/');
      } else {
        expect(screen.queryByTestId('usage-banner')).not.toBeInTheDocument();
      }

      const purchase = screen.queryByTestId('purchase-button');
      if (expected.purchaseColour) {
        expect(purchase).toHaveAttribute('href', '/purchase/');
        expect(purchase).toHaveClass(expected.purchaseColour);
      } else {
        expect(purchase).not.toBeInTheDocument();
      }

      const chat = screen.getByTestId('chat-button');
      if (expected.chat === 'link') {
        expect(chat).toHaveAttribute('href', '/chat/');
        expect(screen.queryByTestId('blocked-message')).not.toBeInTheDocument();
      } else {
        expect(chat).toBeDisabled();
        expect(screen.getByTestId('blocked-message')).toHaveTextContent(ko.chatBlockedTitle);
      }
    });
  }

  it('says the level once at WARNING and above: one buy link on the page, the banner\'s', () => {
    for (const [level, pct] of [['WARNING', 92], ['CRITICAL', 97], ['BLOCKED', 105]] as const) {
      const { unmount } = renderUsage(usageAt(level, pct));
      expect(screen.getAllByRole('link', { name: ko.buyTokens })).toHaveLength(1);
      expect(screen.getAllByTestId('purchase-button')).toHaveLength(1);
      expect(within(screen.getByTestId('usage-banner')).getByTestId('purchase-button')).toHaveClass('btn-primary');
      expect(within(screen.getByTestId('usage-card')).queryByRole('link', { name: ko.buyTokens })).toBeNull();
      unmount();
    }
  });

  it('keeps the card\'s buy link where no banner is on the page', () => {
    render(
      <I18nProvider>
        <UsageCard usage={usageAt('WARNING', 92)} />
      </I18nProvider>,
    );
    expect(within(screen.getByTestId('usage-card')).getByTestId('purchase-button')).toHaveClass('btn-primary');
  });

  it('shows no actions on the purchase page, whatever the level', () => {
    render(
      <I18nProvider>
        <UsageCard usage={usageAt('CRITICAL', 97)} showActions={false} />
      </I18nProvider>,
    );
    expect(screen.queryByTestId('chat-button')).not.toBeInTheDocument();
    expect(screen.queryByTestId('purchase-button')).not.toBeInTheDocument();
  });
});

describe('the forecast shows only what is still ahead', () => {
  const trend = { burnRatePerDay: 3_000, dailySpread: 500, reach100At: '2025-06-20T00:00:00.000Z', reach105At: '2025-06-22T00:00:00.000Z', reach100Range: { earliest: null, latest: null }, resetComesFirst: false, sampleDays: 10 };

  it('gives both dates below 100 %', () => {
    renderUsage({ ...usageAt('WARNING', 92), forecast: trend });
    expect(screen.getByTestId('forecast-100')).toBeTruthy();
    expect(screen.getByTestId('forecast-105')).toBeTruthy();
  });

  it('drops the date of 100 % once it has passed', () => {
    renderUsage({ ...usageAt('CRITICAL', 101), forecast: trend });
    expect(screen.queryByTestId('forecast-100')).toBeNull();
    expect(screen.getByTestId('forecast-105')).toBeTruthy();
  });

  it('says when chat opens again instead of forecasting levels already passed, once blocked', () => {
    renderUsage({ ...usageAt('BLOCKED', 105), forecast: trend });
    expect(screen.queryByTestId('forecast-100')).toBeNull();
    expect(screen.queryByTestId('forecast-105')).toBeNull();
    expect(screen.getByTestId('forecast').textContent).toMatch(/초기화 후 또는 토큰을 구매하면/);
  });
});

describe('the card writes every count with its unit (docs/GLOSSARY.md)', () => {
  it('gives the daily average in tokens and the turns left in 회, with no space before the unit', () => {
    renderUsage({ ...usageAt('WARNING', 92), estimatedTurns: 111, forecast: { burnRatePerDay: 3_000, dailySpread: 500, reach100At: '2025-06-20T00:00:00.000Z', reach105At: null, reach100Range: { earliest: null, latest: null }, resetComesFirst: false, sampleDays: 10 } });
    expect(screen.getByTestId('forecast')).toHaveTextContent('하루 평균 사용: 3,000토큰');
    expect(screen.getByText('남은 대화 횟수(예상)').nextElementSibling).toHaveTextContent(/^111회$/);
  });

  it('says until when the tokens last when the reset comes first, with its date', () => {
    renderUsage({ ...usageAt('NOTICE', 40), forecast: { burnRatePerDay: 500, dailySpread: 100, reach100At: null, reach105At: null, reach100Range: { earliest: null, latest: null }, resetComesFirst: true, sampleDays: 10 } });
    expect(screen.getByTestId('forecast')).toHaveTextContent('지금 속도라면 2025. 7. 1. 초기화 때까지 토큰이 남습니다.');
  });
});

describe('the plan on the card', () => {
  it('names the plan, and nothing ahead when it goes on', () => {
    renderUsage({ ...usageAt('NORMAL', 12), plan: { id: 'plus', name: '플러스', nextId: null, nextName: null } });
    expect(screen.getByTestId('usage-plan')).toHaveTextContent(/^요금제: 플러스$/);
    expect(screen.getByTestId('usage-plan')).toHaveAttribute('data-plan', 'plus');
    expect(screen.queryByTestId('usage-plan-next')).toBeNull();
  });

  it('says from which reset the next plan starts, dated in the user’s locale', () => {
    renderUsage({ ...usageAt('NORMAL', 12), plan: { id: 'plus', name: '플러스', nextId: 'free', nextName: '무료' } });
    expect(screen.getByTestId('usage-plan-next')).toHaveTextContent('2025. 7. 1.부터 무료 요금제');
    expect(screen.getByTestId('usage-plan-next')).toHaveAttribute('data-plan', 'free');
  });

  it('speaks English too', async () => {
    window.localStorage.setItem('consulton.lang', 'en');
    try {
      renderUsage({ ...usageAt('NORMAL', 12), plan: { id: 'plus', name: 'Plus', nextId: 'free', nextName: 'Free' } });
      expect(await screen.findByText('Free plan from Jul 1, 2025')).toBeInTheDocument();
      expect(screen.getByTestId('usage-plan')).toHaveTextContent(/^Plan: Plus/);
    } finally {
      window.localStorage.removeItem('consulton.lang');
    }
  });
});

describe('an organization’s pool on the card', () => {
  const member = (monthlyLimitTokens: number | null, usedTokens: number) => ({
    monthlyLimitTokens,
    usedTokens,
    heldTokens: 0,
    remainingTokens: monthlyLimitTokens === null ? null : Math.max(0, monthlyLimitTokens - usedTokens),
    usagePercent: monthlyLimitTokens === null ? null : (usedTokens / monthlyLimitTokens) * 100,
  });
  function renderPool(usage: UsageView, limit: ReturnType<typeof member>) {
    return render(
      <I18nProvider>
        <UsageBanner usage={usage} organizationName="온길 상담센터" />
        <UsageCard usage={usage} pool={{ name: '온길 상담센터', member: limit }} />
      </I18nProvider>,
    );
  }

  it('is titled with the organization, gives the reader’s own limit and offers no purchase', () => {
    renderPool(usageAt('WARNING', 92), member(50_000, 12_000));
    expect(screen.getByTestId('usage-title')).toHaveTextContent('‘온길 상담센터’ 조직의 AI 사용량');
    expect(screen.getByTestId('member-limit-line')).toHaveTextContent('내 한도: 12,000 / 50,000토큰 · 남은 토큰 38,000');
    expect(screen.getByTestId('usage-banner')).toHaveTextContent(ko.orgWarningBanner);
    expect(screen.queryByTestId('purchase-button')).toBeNull();
    expect(screen.getByTestId('org-pool-managed')).toHaveTextContent(ko.orgPoolManaged);
    expect(screen.getByTestId('chat-button').tagName).toBe('A');
  });

  it('refuses chat for the member’s limit while the pool has room', () => {
    renderPool(usageAt('NORMAL', 10), member(5_000, 5_000));
    expect(screen.getByTestId('blocked-message')).toHaveAttribute('data-reason', 'MEMBER');
    expect(screen.getByTestId('blocked-message')).toHaveTextContent('내 한도를 모두 사용했습니다');
    expect(screen.getByTestId('chat-button')).toBeDisabled();
  });

  it('refuses chat for the organization once the pool is blocked, whatever the limit leaves', () => {
    renderPool(usageAt('BLOCKED', 105), member(null, 0));
    expect(screen.getByTestId('blocked-message')).toHaveAttribute('data-reason', 'ORGANIZATION');
    expect(screen.getByTestId('blocked-message')).toHaveTextContent('‘온길 상담센터’ 조직의 이번 달 토큰');
    expect(screen.getByTestId('usage-banner')).toHaveTextContent(ko.orgBlockedBanner);
    expect(screen.queryByTestId('purchase-button')).toBeNull();
  });
});
