// @vitest-environment node
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { exemptions, forbiddenEn, forbiddenKo, hangulAllowedEnKeys, latinAllowedInKo, type ForbiddenTerm } from './glossary';
import { ko } from './ko';

const koMessages: Record<string, string> = ko;
const enMessages: Record<string, string> = en;
const glossary = readFileSync(new URL('../../../docs/GLOSSARY.md', import.meta.url), 'utf8');

/** "key: text" of every message that breaks the rule, so a failure names them all. */
function breaking(messages: Record<string, string>, term: ForbiddenTerm): string[] {
  const exempt = exemptions[term.word]?.keys ?? [];
  return Object.entries(messages)
    .filter(([key, text]) => !exempt.includes(key) && term.pattern.test(text))
    .map(([key, text]) => `${key}: ${text}`);
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('the glossary (docs/GLOSSARY.md) in the messages', () => {
  it('gives Korean and English the same keys and the same placeholders', () => {
    expect(Object.keys(enMessages).sort()).toEqual(Object.keys(koMessages).sort());
    for (const key of Object.keys(koMessages)) expect(placeholders(enMessages[key]!), key).toEqual(placeholders(koMessages[key]!));
  });

  it.each(forbiddenKo.map((term) => [term.word, term] as const))('Korean messages do not use "%s"', (_word, term) => {
    expect(breaking(koMessages, term), `write ${term.use}`).toEqual([]);
  });

  it.each(forbiddenEn.map((term) => [term.word, term] as const))('English messages do not use "%s"', (_word, term) => {
    expect(breaking(enMessages, term), `write ${term.use}`).toEqual([]);
  });

  it('keeps one language per message: no Korean in English, no English words in Korean', () => {
    const hangul = /[\u3131-\u318e\uac00-\ud7a3]/;
    expect(Object.entries(enMessages).filter(([key, text]) => !hangulAllowedEnKeys.includes(key) && hangul.test(text))).toEqual([]);
    const latinWords = Object.entries(koMessages)
      .map(([key, text]) => [key, latinAllowedInKo.reduce((rest, word) => rest.replaceAll(word, ''), text.replace(/\{\w+\}/g, ''))] as const)
      .filter(([, rest]) => /[A-Za-z]/.test(rest));
    expect(latinWords).toEqual([]);
  });

  it('lists every forbidden word in GLOSSARY.md, so the document and the check agree', () => {
    const missing = [...forbiddenKo, ...forbiddenEn].map((term) => term.word).filter((word) => !glossary.includes(word));
    expect(missing).toEqual([]);
  });

  it('catches what it is meant to catch', () => {
    const hits = (terms: readonly ForbiddenTerm[], text: string) => terms.filter((term) => term.pattern.test(text)).map((term) => term.word);
    expect(hits(forbiddenKo, '보통 ~357 · 최대 1,081')).toContain('~357');
    expect(hits(forbiddenKo, '111 회')).toContain('357 토큰');
    expect(hits(forbiddenKo, '{n} 토큰이 추가되었습니다')).toContain('357 토큰');
    expect(hits(forbiddenKo, '₩5,000')).toContain('₩');
    expect(hits(forbiddenKo, 'AI 상담이 일시 중단되었습니다')).toContain('일시 중단');
    expect(hits(forbiddenKo, '상담할 수 있어요.')).toHaveLength(1);
    expect(hits(forbiddenKo, '사유(3~500자) · 357토큰 · 111회 · 5,000원 · 90% · 다시 시도해 주세요.')).toEqual([]);
    expect(hits(forbiddenEn, 'Chat will pause soon')).toContain('paused');
    expect(hits(forbiddenEn, 'Using the grace zone (up to 105 %)')).toEqual(['grace', '90 %']);
  });
});
