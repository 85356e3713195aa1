import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { Profiler, type ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '@/lib/i18n';
import { chunkBlocks, CHUNK_CHARS, Markdown, MARKDOWN_MAX_CHARS, safeUrl, splitBlocks } from './Markdown';

// Counts what react-markdown is asked to parse, to see that finished chunks are not parsed again.
const parsed = vi.hoisted(() => ({ sources: [] as string[] }));
vi.mock('react-markdown', async (importOriginal) => {
  const actual = await importOriginal<typeof import('react-markdown')>();
  const Counting = (props: Parameters<typeof actual.default>[0]) => {
    parsed.sources.push(props.children ?? '');
    return actual.default(props);
  };
  return { ...actual, default: Counting };
});

function show(text: string) {
  return render(<Markdown text={text} />, { wrapper: ({ children }: { children: ReactNode }) => <I18nProvider>{children}</I18nProvider> });
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('Markdown', () => {
  it('renders lists, tables, code, emphasis and task lists', () => {
    const { container } = show(
      [
        '# 제목',
        '',
        '**굵게**, *기울임*, ~~취소~~, `inline`',
        '',
        '- 하나',
        '- 둘',
        '',
        '1. 첫째',
        '2. 둘째',
        '',
        '| 항목 | 값 |',
        '| --- | ---: |',
        '| 토큰 | 1,000 |',
        '',
        '```ts',
        'const a = 1;',
        '',
        'const b = 2;',
        '```',
        '',
        '- [x] 완료',
        '- [ ] 할 일',
      ].join('\n'),
    );
    expect(container.querySelector('strong')).toHaveTextContent('굵게');
    expect(container.querySelector('em')).toHaveTextContent('기울임');
    expect(container.querySelector('del')).toHaveTextContent('취소');
    expect(container.querySelectorAll('ul')[0]!.querySelectorAll('li')).toHaveLength(2);
    expect(container.querySelector('ol')!.querySelectorAll('li')).toHaveLength(2);
    const table = screen.getByTestId('markdown-table');
    expect(within(table).getAllByRole('row')).toHaveLength(2);
    expect(within(table).getByRole('cell', { name: '1,000' })).toHaveStyle({ textAlign: 'right' });
    const code = screen.getByTestId('code-block');
    expect(code.querySelector('pre code')).toHaveTextContent('const a = 1; const b = 2;');
    expect(code).toHaveTextContent('ts');
    expect(container.querySelector('input')).toBeNull();
    const tasks = screen.getAllByTestId('task-mark');
    expect(tasks.map((task) => task.textContent)).toEqual(['☑(완료)', '☐(미완료)']);
  });

  it('copies a code block exactly, blank lines included', async () => {
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    show('앞\n\n```python\nprint("안녕")\n\nprint(1)\n```\n\n뒤');
    const button = screen.getByTestId('copy-code');
    expect(button).toHaveTextContent('코드 복사');
    await act(async () => fireEvent.click(button));
    expect(writeText).toHaveBeenCalledWith('print("안녕")\n\nprint(1)');
    expect(button).toHaveTextContent('복사했습니다');
  });

  it('shows raw HTML as text: no script, no img, no event handler, no iframe', () => {
    const hostile = [
      '<script>window.__pwned = 1</script>',
      '',
      '<img src=x onerror="window.__pwned = 2">',
      '',
      'inline <b onclick="alert(1)">bold</b> and <iframe src="https://evil.example"></iframe>',
      '',
      '<a href="javascript:alert(1)">html link</a>',
    ].join('\n');
    const { container } = show(hostile);
    expect(container.querySelector('script, img, iframe, b, [onerror], [onclick]')).toBeNull();
    expect(container).toHaveTextContent('<script>window.__pwned = 1</script>');
    expect(container).toHaveTextContent('<img src=x onerror="window.__pwned = 2">');
    expect(container.querySelectorAll('a')).toHaveLength(0);
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('keeps only http(s), mailto and in-page links, each with a safe rel', () => {
    const { container } = show(
      [
        '[js](javascript:alert(1)) [js2](JaVaScRiPt:alert(1)) [ent](&#106;avascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)',
        '[vb](vbscript:msgbox) [rel](/admin/) [web](https://example.com/a?b=1) [mail](mailto:help@example.com)',
        'auto https://consult-on.example/docs and www.example.org',
      ].join('\n'),
    );
    const links = [...container.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com/a?b=1', 'mailto:help@example.com', 'https://consult-on.example/docs', 'http://www.example.org/']);
    for (const link of links) {
      expect(link.getAttribute('rel')).toBe('noopener noreferrer nofollow');
      expect(link.getAttribute('target')).toBe('_blank');
    }
    // The refused links keep their text, as plain text.
    expect(container).toHaveTextContent('js js2 ent data');
    expect(container).toHaveTextContent('vb rel web mail');
  });

  it('never loads an image: it becomes a link to it (or text, when the address is not allowed)', () => {
    const { container } = show('![차트](https://tracker.example/pixel.png) ![x](javascript:alert(1)) ![로컬](/api/secret.png)');
    expect(container.querySelector('img')).toBeNull();
    const links = screen.getAllByTestId('markdown-image-link');
    expect(links).toHaveLength(1);
    expect(links[0]).toHaveAttribute('href', 'https://tracker.example/pixel.png');
    expect(links[0]).toHaveAttribute('rel', 'noopener noreferrer nofollow');
    expect(links[0]).toHaveTextContent('이미지 링크: 차트');
    expect(container).toHaveTextContent('이미지 링크: x');
    expect(container).toHaveTextContent('이미지 링크: 로컬');
  });

  it('renders footnotes without clashing ids, labelled in the reader\'s language', () => {
    const { container } = show('본문[^1]\n\n[^1]: 각주 내용');
    expect(container.querySelector('[id]')).toBeNull();
    expect(container.querySelector('.sr-only')).toHaveTextContent('각주');
    expect(container.querySelector('section')).toHaveTextContent('각주 내용');
    expect(screen.getByRole('link', { name: '본문으로 돌아가기' })).toHaveAttribute('href', '#user-content-fnref-1');
    expect(screen.getByRole('link', { name: '1' })).toHaveAttribute('href', '#user-content-fn-1');
    expect(screen.getByRole('link', { name: '1' })).not.toHaveAttribute('target');
  });

  it('renders a 5,000-row table without hanging', () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => `| ${i} | 항목 ${i} | ${i * 3} |`);
    const started = performance.now();
    const { container } = show(['| # | 이름 | 값 |', '| - | - | - |', ...rows].join('\n'));
    const elapsed = performance.now() - started;
    expect(container.querySelectorAll('tbody tr')).toHaveLength(5_000);
    expect(elapsed).toBeLessThan(30_000);
  }, 60_000);

  it('shows a 1 MB answer as plain text, quickly, and a long one under the limit as Markdown', () => {
    const huge = '긴 답변입니다. **굵게** <script>x</script>\n\n'.repeat(Math.ceil(1_048_576 / 36));
    expect(huge.length).toBeGreaterThan(MARKDOWN_MAX_CHARS);
    const started = performance.now();
    const { container, unmount } = show(huge);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(container.querySelector('strong, script')).toBeNull();
    expect(container).toHaveTextContent('답변이 너무 길어 서식 없이 표시합니다.');
    unmount();

    const long = '문단 **굵게** 입니다.\n\n'.repeat(Math.floor(MARKDOWN_MAX_CHARS / 20));
    const again = performance.now();
    const second = show(long);
    expect(performance.now() - again).toBeLessThan(30_000);
    expect(second.container.querySelectorAll('strong').length).toBe(Math.floor(MARKDOWN_MAX_CHARS / 20));
  }, 90_000);

  it('while streaming, parses only the chunk that grows', () => {
    const renders: number[] = [];
    const text = ['첫 문단입니다. ' + '가'.repeat(CHUNK_CHARS), '', '- 목록 하나', '- 목록 둘', '', '| a | b |', '| - | - |', '| 1 | 2 |', '', '마지막 문단이 자라는'].join('\n');
    const wrap = (t: string) => (
      <I18nProvider>
        <Profiler id="md" onRender={(_id, _phase, duration) => renders.push(duration)}>
          <Markdown text={t} />
        </Profiler>
      </I18nProvider>
    );
    const { container, rerender } = render(wrap(text));
    const firstParagraph = container.querySelector('p');
    const table = container.querySelector('table');
    parsed.sources.length = 0;
    let streamed = text;
    for (const chunk of [' 중', '입니다', '.\n\n', '새 문단']) {
      streamed += chunk;
      rerender(wrap(streamed));
    }
    expect(container).toHaveTextContent('마지막 문단이 자라는 중입니다.');
    expect(container.querySelectorAll('p')[2]).toHaveTextContent('새 문단');
    // The finished blocks keep their DOM nodes: nothing above the growing block flickers.
    expect(container.querySelector('p')).toBe(firstParagraph);
    expect(container.querySelector('table')).toBe(table);
    expect(renders.length).toBeGreaterThan(1);
    // Four deltas, four parses, none of them of the finished first chunk (the long paragraph).
    expect(parsed.sources).toHaveLength(4);
    for (const source of parsed.sources) expect(source).not.toContain('첫 문단');
  });
});

describe('splitBlocks', () => {
  it('cuts at blank lines, but not inside code fences, list items or lists', () => {
    expect(splitBlocks('a\n\nb\n\n\nc')).toEqual(['a', 'b', 'c']);
    expect(splitBlocks('x\n\n```\none\n\ntwo\n```\n\ny')).toEqual(['x', '```\none\n\ntwo\n```', 'y']);
    expect(splitBlocks('~~~~\nin\n\n```\nstill in\n~~~~\n\nout')).toEqual(['~~~~\nin\n\n```\nstill in\n~~~~', 'out']);
    expect(splitBlocks('1. one\n\n2. two\n\n   more of two\n\nafter')).toEqual(['1. one\n\n2. two\n\n   more of two', 'after']);
    expect(splitBlocks('- a\n\n    code in a\n\npara')).toEqual(['- a\n\n    code in a', 'para']);
  });

  it('keeps the text whole when it has link or footnote definitions', () => {
    const text = 'see [the docs][d] and a note[^1]\n\nmore\n\n[d]: https://example.com\n[^1]: the note';
    expect(splitBlocks(text)).toEqual([text]);
  });

  it('gives a streamed prefix the same finished blocks as the whole text', () => {
    const whole = '# 제목\n\n문단 하나\n\n- a\n- b\n\n```js\nx\n\ny\n```\n\n| a |\n| - |\n| 1 |\n\n끝';
    const final = splitBlocks(whole);
    for (let i = 1; i < whole.length; i += 1) {
      const blocks = splitBlocks(whole.slice(0, i));
      // Every block but the last (the growing one) is already final.
      expect(blocks.slice(0, -1)).toEqual(final.slice(0, blocks.length - 1));
    }
  });
});

describe('chunkBlocks', () => {
  it('fills chunks from the start, so a streamed prefix has the same finished chunks', () => {
    const whole = Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? `\`\`\`\nline ${i}\n\ncode\n\`\`\`` : `문단 ${i} `.repeat(i % 5 + 1))).join('\n\n');
    const final = chunkBlocks(splitBlocks(whole), 100);
    expect(final.length).toBeGreaterThan(5);
    expect(final.join('\n\n')).toBe(whole);
    for (let i = 1; i < whole.length; i += 7) {
      const chunks = chunkBlocks(splitBlocks(whole.slice(0, i)), 100);
      expect(chunks.slice(0, -1)).toEqual(final.slice(0, chunks.length - 1));
    }
  });
});

describe('safeUrl', () => {
  it('allows http(s), mailto and anchors only', () => {
    expect(safeUrl('https://example.com')).toBe('https://example.com/');
    expect(safeUrl(' http://example.com/x ')).toBe('http://example.com/x');
    expect(safeUrl('mailto:a@b.c')).toBe('mailto:a@b.c');
    expect(safeUrl('#user-content-fn-1')).toBe('#user-content-fn-1');
    for (const bad of ['javascript:alert(1)', ' JAVASCRIPT:alert(1)', 'java\nscript:alert(1)', 'data:text/html,x', 'vbscript:x', 'file:///etc/passwd', '/relative', '//evil.example/x', 'ftp://x.example', '#"><script>']) {
      expect(safeUrl(bad), bad).toBeUndefined();
    }
  });
});
