import { describe, expect, it } from 'vitest';
import { en } from '@/messages/en';
import { ko } from '@/messages/ko';
import { aboutOrganization, notificationMessage, notificationTitle } from './notification-text';

const words = (messages: Record<string, string>) => (key: string, vars?: Record<string, string | number>) =>
  (messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? `{${name}}`));
const tk = words(ko) as never;
const te = words(en) as never;

describe('notifications about an organization', () => {
  const pool = { organizationName: '온길 상담센터', usagePercent: 91.2, remainingTokens: 8_800 };

  it('name the organization for its pool, in both languages', () => {
    expect(notificationTitle({ ...pool, kind: 'ORGANIZATION_WARNING', level: 'WARNING' }, tk, 'ko')).toBe('‘온길 상담센터’ 조직의 토큰 사용량 91.2% 도달');
    expect(notificationMessage({ ...pool, kind: 'ORGANIZATION_WARNING', level: 'WARNING' }, tk, 'ko')).toBe(
      '‘온길 상담센터’ 조직의 이번 달 토큰 중 91.2%를 사용해 8,800토큰이 남았습니다. 105%에 이르면 구성원 모두의 상담이 차단됩니다.',
    );
    expect(notificationTitle({ ...pool, kind: 'ORGANIZATION_BLOCKED', level: 'BLOCKED', usagePercent: 105 }, tk, 'ko')).toBe('‘온길 상담센터’ 조직의 AI 상담이 차단되었습니다');
    expect(notificationTitle({ ...pool, kind: 'ORGANIZATION_RECOVERED', level: 'NORMAL' }, te, 'en')).toBe('Tokens to spare again in ‘온길 상담센터’');
    expect(notificationMessage({ ...pool, kind: 'ORGANIZATION_CRITICAL', level: 'CRITICAL', remainingTokens: -100 }, tk, 'ko')).toContain('초과 사용(최대 105%) 중입니다');
  });

  it('say "내 한도" for the member’s limit, never the account’s tokens', () => {
    const limit = { organizationName: null, usagePercent: 90, remainingTokens: 500 };
    expect(notificationTitle({ ...limit, kind: 'MEMBER_LIMIT_WARNING', level: 'WARNING' }, tk, 'ko')).toBe('내 한도의 90% 사용');
    expect(notificationMessage({ ...limit, kind: 'MEMBER_LIMIT_WARNING', level: 'WARNING' }, tk, 'ko')).toBe(
      '이번 달 조직에서 쓸 수 있는 내 한도의 90%를 사용해 500토큰이 남았습니다. 한도에 이르면 이 조직에서는 상담할 수 없습니다.',
    );
    expect(notificationTitle({ ...limit, kind: 'MEMBER_LIMIT_REACHED', level: 'BLOCKED', usagePercent: 100 }, tk, 'ko')).toBe('내 한도를 모두 사용했습니다');
    expect(notificationMessage({ ...limit, kind: 'MEMBER_LIMIT_REACHED', level: 'BLOCKED' }, te, 'en')).toBe('You have used your monthly limit in your organization. Ask its owners or organization admins to raise it.');
    expect(notificationTitle({ ...limit, kind: 'MEMBER_LIMIT_REACHED', level: 'BLOCKED' }, tk, 'ko')).not.toBe(ko.notifTitleBLOCKED);
  });

  it('tell the reader’s own account apart from an organization', () => {
    expect(aboutOrganization({ kind: 'USAGE_BLOCKED' })).toBe(false);
    expect(aboutOrganization({ kind: 'ORGANIZATION_BLOCKED' })).toBe(true);
    expect(aboutOrganization({ kind: 'MEMBER_LIMIT_REACHED' })).toBe(true);
    expect(notificationTitle({ kind: 'USAGE_BLOCKED', level: 'BLOCKED', usagePercent: 105, remainingTokens: -5_000 }, tk, 'ko')).toBe(ko.notifTitleBLOCKED);
  });
});

describe('notifications about a paid plan', () => {
  const plan = { organizationName: null, usagePercent: 0, remainingTokens: 0, level: 'NORMAL' as const, planName: '플러스', planFreeFrom: '2026-12-01' };

  it('name the plan and the day it ends, never a usage level', () => {
    expect(notificationTitle({ ...plan, kind: 'PLAN_ENDING' }, tk, 'ko')).toBe('플러스 요금제가 12월 1일에 끝납니다');
    expect(notificationMessage({ ...plan, kind: 'PLAN_RENEWAL_FAILED' }, tk, 'ko')).toBe('12월 1일 전에 결제되지 않으면 무료 요금제로 바뀝니다. 카드를 확인해 주세요. 하루 뒤 다시 결제를 시도합니다.');
    expect(notificationTitle({ ...plan, kind: 'PLAN_RENEWAL_FAILED', planName: 'Plus' }, te, 'en')).toBe('The renewal of your Plus plan failed');
    expect(notificationTitle({ ...plan, kind: 'PLAN_ENDING', planName: 'Plus' }, te, 'en')).toBe('Your Plus plan ends on December 1');
    expect(notificationTitle({ ...plan, kind: 'PLAN_ENDING' }, tk, 'ko')).not.toBe(ko.notifTitleNORMAL);
  });
});
