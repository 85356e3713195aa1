import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { I18nProvider } from './i18n';
import { bannerShown, pageHasBanner, registerBanner, shouldToast, warningNoticeKeys } from './alerts';
import { notificationMessage, notificationTitle } from './notification-text';
import { ko } from '@/messages/ko';
import { en } from '@/messages/en';
import { NotificationItem } from '@/components/NotificationBell';
import type { NotificationView } from '@consult-on/api-contract';

const undo: Array<() => void> = [];
afterEach(() => {
  while (undo.length) undo.pop()!();
});

describe('the banner registry', () => {
  it('knows which level the page shows, and forgets it when the banner goes', () => {
    expect(pageHasBanner()).toBe(false);
    const off = registerBanner('WARNING');
    expect(bannerShown('WARNING')).toBe(true);
    expect(bannerShown('CRITICAL')).toBe(false);
    expect(pageHasBanner()).toBe(true);
    off();
    expect(bannerShown('WARNING')).toBe(false);
    expect(pageHasBanner()).toBe(false);
  });

  it('counts a banner below WARNING as the page\'s place for the alert, showing nothing', () => {
    undo.push(registerBanner('NOTICE'));
    expect(bannerShown('NOTICE')).toBe(false);
    expect(pageHasBanner()).toBe(true);
  });
});

describe('no toast for what the page already shows', () => {
  it('toasts a usage level only on pages without a banner', () => {
    for (const level of ['WARNING', 'CRITICAL', 'BLOCKED'] as const) {
      expect(shouldToast(level, () => false)).toBe(true);
      expect(shouldToast(level, () => true)).toBe(false);
    }
  });

  it('always toasts a recovery, which no banner says', () => {
    expect(shouldToast('NORMAL', () => true)).toBe(true);
  });

  it('reads the page\'s banners by default', () => {
    expect(shouldToast('WARNING')).toBe(true);
    undo.push(registerBanner('NORMAL'));
    expect(shouldToast('WARNING')).toBe(false);
  });
});

describe('the inline notice in the chat only when the level changes', () => {
  const answer = (key: string, level: 'WARNING' | 'CRITICAL' | 'BLOCKED' | null) => ({ key, role: 'assistant', usage: { chargedTokens: 1 }, warning: level ? { level } : null });
  const question = (key: string) => ({ key, role: 'user' });

  it('shows the first warning, not the same level again after the next turn', () => {
    expect([...warningNoticeKeys([question('q1'), answer('a1', 'WARNING'), question('q2'), answer('a2', 'WARNING')])]).toEqual(['a1']);
  });

  it('shows it again when the level escalates', () => {
    expect([...warningNoticeKeys([answer('a1', 'WARNING'), answer('a2', 'WARNING'), answer('a3', 'CRITICAL'), answer('a4', 'CRITICAL')])]).toEqual(['a1', 'a3']);
  });

  it('shows it again after the level fell below WARNING (a purchase) and rose again', () => {
    expect([...warningNoticeKeys([answer('a1', 'WARNING'), answer('a2', null), answer('a3', 'WARNING')])]).toEqual(['a1', 'a3']);
  });

  it('is not reset by a question or an answer still streaming (no usage yet)', () => {
    expect([...warningNoticeKeys([answer('a1', 'WARNING'), question('q2'), { key: 'a2', role: 'assistant', warning: null }, answer('a3', 'WARNING')])]).toEqual(['a1']);
  });
});

describe('a notification read later says the level it was created for', () => {
  const t = (messages: Record<string, string>) => (key: string, vars?: Record<string, string | number>) =>
    (messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? `{${name}}`));

  it('words each stored level from its own data', () => {
    const tk = t(ko);
    expect(notificationTitle({ level: 'WARNING', usagePercent: 91.2, remainingTokens: 8_800 }, tk as never, 'ko')).toBe('토큰 사용량 91.2% 도달');
    expect(notificationMessage({ level: 'WARNING', usagePercent: 91.2, remainingTokens: 8_800 }, tk as never, 'ko')).toContain('8,800토큰이 남았습니다');
    expect(notificationMessage({ level: 'CRITICAL', usagePercent: 102, remainingTokens: -2_000 }, tk as never, 'ko')).toBe(ko.notifBodyCRITICALGrace);
    expect(notificationMessage({ level: 'NORMAL', usagePercent: 89.9, remainingTokens: 10_100 }, tk as never, 'ko')).toContain('89.9%');
    expect(notificationTitle({ level: 'BLOCKED', usagePercent: 105, remainingTokens: -5_000 }, t(en) as never, 'en')).toBe(en.notifTitleBLOCKED);
  });

  it('renders the stored level in the list, not the wording the server sent', () => {
    const item: NotificationView = {
      id: 'n1',
      kind: 'USAGE_WARNING',
      organizationId: null,
      organizationName: null,
      planName: null,
      planFreeFrom: null,
      level: 'WARNING',
      title: 'stale title',
      message: 'stale message',
      usagePercent: 90.4,
      remainingTokens: 9_600,
      link: '/purchase/',
      read: false,
      readAt: null,
      createdAt: '2025-06-10T00:00:00.000Z',
    };
    render(
      <I18nProvider>
        <ul>
          <NotificationItem item={item} onRead={() => undefined} />
        </ul>
      </I18nProvider>,
    );
    const row = screen.getByTestId('notification-item');
    expect(row).toHaveAttribute('data-level', 'WARNING');
    expect(row).toHaveTextContent('토큰 사용량 90.4% 도달');
    expect(row).not.toHaveTextContent('stale');
    expect(screen.getByRole('link', { name: ko.buyTokens })).toHaveClass('btn-primary');
  });
});
