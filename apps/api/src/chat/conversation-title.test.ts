import { describe, expect, it } from 'vitest';
import { normalizeTitle, titleFromQuestion } from './conversation-title.js';

describe('titleFromQuestion', () => {
  it('keeps a short first question as it is', () => {
    expect(titleFromQuestion('안녕하세요')).toBe('안녕하세요');
    expect(titleFromQuestion('  이직을   고민하고 있어요  ')).toBe('이직을 고민하고 있어요');
  });

  it('takes the first line that says something, without Markdown marks', () => {
    expect(titleFromQuestion('\n\n## 연봉 협상\n자세한 내용은…')).toBe('연봉 협상');
    expect(titleFromQuestion('---\n- 첫째, 면접 준비')).toBe('첫째, 면접 준비');
    expect(titleFromQuestion('> 인용한 질문')).toBe('인용한 질문');
  });

  it('cuts a long line at a word boundary near 40 characters', () => {
    const title = titleFromQuestion('회사에서 팀장님과의 갈등 때문에 너무 힘든데 어떻게 대화를 시작해야 할지 모르겠습니다 도와주세요');
    expect(title.endsWith('…')).toBe(true);
    expect([...title].length).toBeLessThanOrEqual(41);
    expect(title).toBe('회사에서 팀장님과의 갈등 때문에 너무 힘든데 어떻게 대화를 시작해야 할지…');
  });

  it('cuts a line without spaces at 40 characters, never inside a surrogate pair', () => {
    const title = titleFromQuestion('😀'.repeat(60));
    expect(title).toBe(`${'😀'.repeat(40)}…`);
    expect(title.isWellFormed()).toBe(true);
  });

  it('never gives an empty title', () => {
    expect(titleFromQuestion('   ')).toBe('…');
    expect(titleFromQuestion('???')).toBe('???');
  });
});

describe('normalizeTitle', () => {
  it('joins lines and runs of spaces into one space', () => {
    expect(normalizeTitle(' a\n\t b  c ')).toBe('a b c');
  });
});
