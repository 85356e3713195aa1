/**
 * The rules of docs/GLOSSARY.md that a machine can check, in one place: the words a message must
 * not use, each with the word to use instead. messages/glossary.test.ts runs every Korean and
 * English message through them; GLOSSARY.md lists the same words (the test checks that too).
 */
export interface ForbiddenTerm {
  /** The word as GLOSSARY.md writes it in its "not" column. */
  word: string;
  pattern: RegExp;
  /** What to write instead. */
  use: string;
}

/** Not in any Korean message. */
export const forbiddenKo: readonly ForbiddenTerm[] = [
  { word: '일시 중단', pattern: /일시\s*중단|중단되/, use: '차단 (the one word for the blocked state)' },
  { word: '정지', pattern: /정지/, use: '차단' },
  { word: '제한될', pattern: /제한될|제한됩/, use: '차단 (say when: "105%에 이르면 상담이 차단됩니다")' },
  { word: '유예', pattern: /유예/, use: '초과 사용' },
  { word: '허용분', pattern: /허용분/, use: '초과 사용' },
  { word: '구매분', pattern: /구매분/, use: '구매 토큰' },
  { word: '무료분', pattern: /무료분/, use: '무료 토큰' },
  { word: '제공량', pattern: /제공량/, use: '무료 토큰 / 이번 달 토큰' },
  { word: '잔여', pattern: /잔여/, use: '남은 토큰' },
  { word: '원장', pattern: /원장/, use: '토큰 내역' },
  { word: '플랜', pattern: /플랜/, use: '요금제' },
  { word: '예약', pattern: /예약/, use: '임시로 잡아 둔 토큰' },
  { word: '보류', pattern: /보류/, use: '임시로 잡아 둔 토큰' },
  { word: '토크나이저', pattern: /토크나이저/, use: '(say what it means: 추정한 값)' },
  { word: '멤버', pattern: /멤버/, use: '구성원' },
  { word: '오너', pattern: /오너/, use: '소유자' },
  { word: '초대장', pattern: /초대장|초대\s*코드/, use: '초대 링크' },
  { word: '₩', pattern: /₩/, use: '5,000원 (money through lib/money.ts)' },
  { word: '~357', pattern: /(^|\s)~\s*[\d{]/, use: '약 357토큰 (a range keeps its tilde: 3~500자)' },
  { word: '357 토큰', pattern: /(\d|\{(?!(message|name|title|date|time)\})\w+\})\s+(토큰|회|원|개|자|명|배)/, use: '357토큰, 111회, 5,000원 (no space between a number and its unit)' },
  { word: '90 %', pattern: /[\d}]\s+%/, use: '90%' },
  { word: '해요체', pattern: /(어요|아요|해요|예요|이에요|까요)(?=[\s.!?)]|$)/, use: '합니다체 (~습니다, ~하시겠습니까?, ~해 주세요)' },
  { word: 'Failed to fetch', pattern: /Failed to fetch/i, use: 'networkError' },
];

/** Not in any English message. */
export const forbiddenEn: readonly ForbiddenTerm[] = [
  { word: 'paused', pattern: /\bpaus(e|es|ed|ing)\b/i, use: 'blocked' },
  { word: 'suspended', pattern: /\bsuspend/i, use: 'blocked' },
  { word: 'limited', pattern: /\blimited\b/i, use: 'blocked (say when: "Chat is blocked at 105%")' },
  { word: 'grace', pattern: /\bgrace\b/i, use: 'overage' },
  { word: 'allowance', pattern: /\ballowance\b|extra margin/i, use: "this month's tokens / free tokens" },
  { word: 'ledger', pattern: /\bledger\b/i, use: 'token history' },
  { word: 'hold', pattern: /\b(holds?|reservations?)\b/i, use: 'tokens set aside' },
  { word: 'tokenizer', pattern: /tokeniz/i, use: '(say what it means: estimates)' },
  { word: 'consultation', pattern: /\bconsult(ing|ation)\b/i, use: 'chat (consultation only in the product description, appDescription)' },
  { word: '90 %', pattern: /[\d}]\s+%/, use: '90%' },
  { word: 'Failed to fetch', pattern: /Failed to fetch/i, use: 'networkError' },
];

/** Messages a rule does not apply to, with the reason. */
export const exemptions: Readonly<Record<string, { keys: readonly string[]; why: string }>> = {
  consultation: { keys: ['appDescription'], why: 'the product description names the service' },
};

/** The only Latin words a Korean message may hold: names, keys and the other language's own name. */
export const latinAllowedInKo: readonly string[] = ['Consult-On', 'OpenAI', 'AI', 'English', 'Shift+Enter', 'Enter', 'Esc', 'Stripe', 'CSV', 'API', 'SDK', 'LangChain', 'URL', 'JSON'];


/** The only English messages that may hold Korean: the button that switches to Korean names it in Korean. */
export const hangulAllowedEnKeys: readonly string[] = ['language', 'languageLabel', 'languageKorean'];
