import { formatPercent, type Locale } from '@consult-on/quota-policy';
import type { NotificationKind } from '../database/schema.js';

export interface NotificationData {
  level: string;
  usagePercent: number;
  remainingTokens: number;
  /** Pool notifications: the organization's name when notified. */
  organizationName?: string;
  /** Plan notifications: the plan's name in both languages, and the local day (YYYY-MM-DD) the account moves to the free plan. */
  plan?: { nameKo: string; nameEn: string; freeFrom: string };
}

/** "12월 1일" / "December 1" from a local day (YYYY-MM-DD), without a time zone to get wrong. */
export function dayText(day: string, ko: boolean): string {
  const [, month, date] = day.split('-').map(Number);
  if (ko) return `${month}월 ${date}일`;
  return `${['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'][month! - 1]} ${date}`;
}

const tokens = (value: number, locale: Locale) => Math.max(0, Math.round(value)).toLocaleString(locale === 'ko' ? 'ko-KR' : 'en-US');

/** Title and body of a notification in the reader's language: rounded, never negative; worded as in docs/GLOSSARY.md. */
export function renderNotification(kind: NotificationKind, data: NotificationData, locale: Locale): { title: string; message: string } {
  const used = formatPercent(data.usagePercent);
  const left = tokens(data.remainingTokens, locale);
  const inGrace = data.remainingTokens < 0;
  const ko = locale === 'ko';
  switch (kind) {
    case 'USAGE_WARNING':
      return ko
        ? { title: `토큰 사용량 ${used}% 도달`, message: `이번 달 토큰의 ${used}%를 사용해 ${left}토큰이 남았습니다. 토큰을 추가로 구매하면 끊김 없이 상담할 수 있습니다.` }
        : { title: `${used}% of your tokens used`, message: `You have used ${used}% of this month's tokens; ${left} tokens are left. Buy more tokens to keep chatting without interruption.` };
    case 'USAGE_CRITICAL':
      return ko
        ? {
            title: '토큰이 거의 소진되었습니다',
            message: inGrace
              ? '이번 달 토큰을 모두 쓰고 초과 사용(최대 105%) 중입니다. 곧 상담이 차단되니 토큰을 구매해 주세요.'
              : `이번 달 토큰의 ${used}%를 사용해 ${left}토큰만 남았습니다. 지금 토큰을 구매해 주세요.`,
          }
        : {
            title: 'Your tokens are almost gone',
            message: inGrace
              ? "You have used all of this month's tokens and are in overage (up to 105%). Chat will be blocked soon: please buy tokens."
              : `You have used ${used}% of this month's tokens; only ${left} tokens are left. Please buy tokens now.`,
          };
    case 'USAGE_BLOCKED':
      return ko
        ? { title: 'AI 상담이 차단되었습니다', message: '초과 사용분(105%)까지 모두 사용하여 AI 상담이 차단되었습니다. 토큰을 구매하면 바로 다시 이용할 수 있습니다.' }
        : { title: 'AI chat is blocked', message: 'The overage (up to 105%) is used up too, so AI chat is blocked. Buy tokens to continue right away.' };
    case 'ORGANIZATION_WARNING':
    case 'ORGANIZATION_CRITICAL':
    case 'ORGANIZATION_BLOCKED':
    case 'ORGANIZATION_RECOVERED':
      return poolNotification(kind, data.organizationName ?? (ko ? '조직' : 'Your organization'), used, left, ko);
    case 'MEMBER_LIMIT_WARNING': {
      const name = memberScope(data, ko);
      return ko
        ? { title: `${name}에서 내 한도 ${used}% 사용`, message: `이번 달 ${name}에서 쓸 수 있는 내 한도의 ${used}%를 사용해 ${left}토큰이 남았습니다.` }
        : { title: `${used}% of your limit in ${name} used`, message: `You have used ${used}% of your monthly limit in ${name}; ${left} tokens are left.` };
    }
    case 'MEMBER_LIMIT_REACHED': {
      const name = memberScope(data, ko);
      return ko
        ? { title: `${name}에서 내 한도를 모두 사용했습니다`, message: `이번 달 ${name}에서 쓸 수 있는 내 한도를 모두 사용했습니다. 한도를 늘리려면 조직 소유자나 조직 관리자에게 요청해 주세요.` }
        : { title: `You have reached your limit in ${name}`, message: `You have used your monthly limit in ${name}. Ask its owners or organization admins to raise it.` };
    }
    case 'PLAN_ENDING':
    case 'PLAN_RENEWAL_FAILED': {
      const plan = data.plan;
      const name = plan ? (ko ? plan.nameKo : plan.nameEn) : ko ? '유료' : 'paid';
      const day = plan ? dayText(plan.freeFrom, ko) : ko ? '다음 초기화' : 'the next reset';
      if (kind === 'PLAN_ENDING') {
        return ko
          ? { title: `${name} 요금제가 ${day}에 끝납니다`, message: `다음 달 결제가 없어 ${day}부터 무료 요금제로 바뀝니다. 그 전까지는 지금 요금제를 그대로 쓸 수 있습니다.` }
          : { title: `Your ${name} plan ends on ${day}`, message: `Next month is not paid for, so you move to the free plan on ${day}. Until then your plan stays as it is.` };
      }
      return ko
        ? { title: `${name} 요금제 갱신 결제에 실패했습니다`, message: `${day} 전에 결제되지 않으면 무료 요금제로 바뀝니다. 카드를 확인해 주세요. 하루 뒤 다시 결제를 시도합니다.` }
        : { title: `The renewal of your ${name} plan failed`, message: `Unless it is paid before ${day}, you move to the free plan. Please check your card; we will try again in a day.` };
    }
    case 'USAGE_RECOVERED':
      return ko
        ? { title: '토큰이 다시 넉넉합니다', message: `사용량이 ${used}%로 내려갔습니다. ${left}토큰이 남았습니다.` }
        : { title: 'You have tokens to spare again', message: `Usage is back down to ${used}%; ${left} tokens are left.` };
  }
}

/** An organization's pool, to its owners and organization admins: the same levels as a person's account, named by the organization. */
function poolNotification(kind: 'ORGANIZATION_WARNING' | 'ORGANIZATION_CRITICAL' | 'ORGANIZATION_BLOCKED' | 'ORGANIZATION_RECOVERED', name: string, used: string, left: string, ko: boolean) {
  switch (kind) {
    case 'ORGANIZATION_WARNING':
      return ko
        ? { title: `${name} 토큰 사용량 ${used}% 도달`, message: `${name}의 이번 달 토큰 중 ${used}%를 사용해 ${left}토큰이 남았습니다.` }
        : { title: `${name}: ${used}% of tokens used`, message: `${name} has used ${used}% of this month's tokens; ${left} tokens are left.` };
    case 'ORGANIZATION_CRITICAL':
      return ko
        ? { title: `${name} 토큰이 거의 소진되었습니다`, message: `${name}의 이번 달 토큰 중 ${used}%를 사용했습니다. 곧 구성원의 AI 상담이 차단됩니다.` }
        : { title: `${name}: tokens almost gone`, message: `${name} has used ${used}% of this month's tokens. Members' AI chat will soon be blocked.` };
    case 'ORGANIZATION_BLOCKED':
      return ko
        ? { title: `${name}의 AI 상담이 차단되었습니다`, message: `${name}의 초과 사용분(105%)까지 모두 사용하여 구성원의 AI 상담이 차단되었습니다. 다음 초기화 때 다시 열립니다.` }
        : { title: `${name}: AI chat is blocked`, message: `${name} has used its overage (up to 105%) too, so members' AI chat is blocked until the next reset.` };
    case 'ORGANIZATION_RECOVERED':
      return ko
        ? { title: `${name} 토큰이 다시 넉넉합니다`, message: `${name}의 사용량이 ${used}%로 내려갔습니다. ${left}토큰이 남았습니다.` }
        : { title: `${name} has tokens to spare again`, message: `${name}'s usage is back down to ${used}%; ${left} tokens are left.` };
  }
}

/** The organization a member's limit is in, as the sentence names it: "‘온길’ 조직" (or "조직" without a stored name). */
function memberScope(data: NotificationData, ko: boolean): string {
  if (!data.organizationName) return ko ? '조직' : 'the organization';
  return ko ? `‘${data.organizationName}’ 조직` : `‘${data.organizationName}’`;
}
