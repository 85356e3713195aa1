import { expect, test, type APIRequestContext } from '@playwright/test';
import { noSidewaysScroll, openAs, register, snap, type Account } from './helpers';

/** One finished turn through the API (the offline demo consultant answers). */
async function turn(request: APIRequestContext, account: Account, message: string, conversationId?: string): Promise<string> {
  const response = await request.post('/api/chat/send', {
    data: { message, ...(conversationId ? { conversationId } : {}) },
    headers: { authorization: `Bearer ${account.token}` },
  });
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()).conversationId as string;
}


test('conversations: grouped by day, renamed in place by keyboard, searched, deleted with the usage kept', async ({ page, request }, testInfo) => {
  const user = await register(request, 'conversations');
  const salary = await turn(request, user, '연봉 협상을 어떻게 시작하면 좋을까요?');
  await turn(request, user, '수익률 100% 달성 방법', undefined);
  const file = await turn(request, user, 'file_name 규칙을 알려 주세요');

  await openAs(page, user, '/chat/');
  const list = page.getByTestId('conversation-list');
  await expect(list.getByTestId('conversation-item')).toHaveCount(3);
  await expect(list.getByRole('heading', { name: '오늘' })).toBeVisible();
  await expect(list.getByTestId('conversation-title').first()).toHaveText('file_name 규칙을 알려 주세요');

  // Rename from the keyboard: F2 on the item, type, Enter; focus returns to the item.
  const item = list.locator(`[data-conversation-id="${salary}"]`);
  await item.getByRole('button', { name: /연봉 협상/ }).focus();
  await page.keyboard.press('F2');
  const input = item.getByRole('textbox', { name: '대화 이름' });
  await expect(input).toBeFocused();
  await input.fill('  이직 준비 상담  ');
  await input.press('Enter');
  await expect(item.getByTestId('conversation-title')).toHaveText('이직 준비 상담');
  await expect(item.getByRole('button', { name: /이직 준비 상담/ }).first()).toBeFocused();
  // Escape cancels.
  await page.keyboard.press('F2');
  await item.getByRole('textbox', { name: '대화 이름' }).fill('버릴 이름');
  await page.keyboard.press('Escape');
  await expect(item.getByTestId('conversation-title')).toHaveText('이직 준비 상담');
  // Kept after a reload: the server has it.
  await page.reload();
  await expect(page.getByTestId('conversation-list').locator(`[data-conversation-id="${salary}"]`).getByTestId('conversation-title')).toHaveText('이직 준비 상담');

  // Search by title and by content; % and _ match themselves.
  const search = page.getByRole('searchbox', { name: '대화 검색' });
  await search.fill('이직');
  await expect(list.getByTestId('conversation-item')).toHaveCount(1);
  await search.fill('%');
  await expect(list.getByTestId('conversation-item')).toHaveCount(1);
  await expect(list.getByTestId('conversation-title')).toHaveText('수익률 100% 달성 방법');
  await search.fill('_');
  await expect(list.getByTestId('conversation-title')).toHaveText('file_name 규칙을 알려 주세요');
  await search.fill('찾을 수 없는 말');
  await expect(list.getByText('검색 결과가 없습니다')).toBeVisible();
  await search.press('Escape');
  await expect(list.getByTestId('conversation-item')).toHaveCount(3);
  await snap(page, testInfo, 'conversations-list');

  // Delete: a confirmation that says the usage record stays; cancel keeps it, confirm removes it.
  const fileItem = list.locator(`[data-conversation-id="${file}"]`);
  await fileItem.hover();
  await fileItem.getByRole('button', { name: /삭제/ }).click();
  const dialog = page.getByTestId('delete-conversation-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('사용 내역(차감된 토큰 기록)은 삭제되지 않고 그대로 남습니다.');
  await snap(page, testInfo, 'conversations-delete-dialog');
  await dialog.getByRole('button', { name: '취소' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(list.getByTestId('conversation-item')).toHaveCount(3);
  await fileItem.getByRole('button', { name: /file_name/ }).first().focus();
  await page.keyboard.press('Delete');
  await dialog.getByTestId('delete-conversation-confirm').click();
  await expect(list.getByTestId('conversation-item')).toHaveCount(2);
  await expect(list.locator(`[data-conversation-id="${file}"]`)).toHaveCount(0);

  // The history still lists all three turns' usage; the deleted one has no link any more.
  await page.goto('/history/');
  const rows = page.getByTestId('ledger-table').locator('tr[data-kind="CONSUMPTION"]');
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId('ledger-table').getByTestId('ledger-conversation-link')).toHaveCount(2);
  await expect(page.getByTestId('ledger-table').getByText('삭제된 대화')).toHaveCount(1);
});

test('conversations: older ones under 어제 and 지난 7일 by the reader’s local day', async ({ page, request }) => {
  const user = await register(request, 'groups');
  await turn(request, user, '그룹 확인');
  await page.clock.setFixedTime(new Date(Date.now() + 86_400_000));
  await openAs(page, user, '/chat/');
  await expect(page.getByTestId('conversation-list').getByRole('heading', { name: '어제' })).toBeVisible();
  await page.clock.setFixedTime(new Date(Date.now() + 3 * 86_400_000));
  await page.reload();
  await expect(page.getByTestId('conversation-list').getByRole('heading', { name: '지난 7일' })).toBeVisible();
});

test('history: plain words, holds hidden until asked, rows open their conversation', async ({ page, request }, testInfo) => {
  const user = await register(request, 'history');
  const conversationId = await turn(request, user, '사용 내역 확인용 질문');
  await openAs(page, user, '/history/');
  const table = page.getByTestId('ledger-table');
  await expect(table.locator('tr[data-kind="CONSUMPTION"]')).toHaveCount(1);
  await expect(table.locator('tr[data-kind^="HOLD"]')).toHaveCount(0);
  await expect(page.locator('main')).not.toContainText('원장');
  await expect(page.locator('main')).not.toContainText('예약');
  await page.getByLabel('답변 중 임시로 잡아 둔 토큰도 보기').check();
  await expect(table.locator('tr[data-kind="HOLD"]')).toHaveCount(1);
  await page.getByLabel('답변 중 임시로 잡아 둔 토큰도 보기').uncheck();
  await expect(table.locator('tr[data-kind^="HOLD"]')).toHaveCount(0);
  await table.locator('tr[data-kind="CONSUMPTION"]').getByRole('link', { name: '대화 보기' }).click();
  await expect(page).toHaveURL(new RegExp(`/chat/\\?c=${conversationId}`));
  await expect(page.getByTestId('user-message').first()).toContainText('사용 내역 확인용 질문');

  // On a phone: cards, no sideways scrolling.
  for (const width of [360, 390]) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto('/history/');
    const cards = page.getByTestId('ledger-cards');
    await expect(cards.locator('li[data-kind="CONSUMPTION"]')).toBeVisible();
    await expect(table).toBeHidden();
    await expect(cards.getByRole('link', { name: '대화 보기' })).toBeVisible();
    await noSidewaysScroll(page);
  }
  await snap(page, testInfo, 'history-390');
});

test('history: a new user gets a next step instead of an empty chart', async ({ page, request }, testInfo) => {
  const user = await register(request, 'empty-history');
  await openAs(page, user, '/history/');
  const empty = page.getByTestId('usage-empty').first();
  await expect(empty).toContainText('아직 사용 내역이 없습니다');
  await expect(page.getByTestId('daily-chart')).toHaveCount(0);
  const start = empty.getByRole('link', { name: 'AI 상담 시작' });
  await expect(start).toHaveAttribute('href', '/chat/');
  await page.setViewportSize({ width: 360, height: 800 });
  await noSidewaysScroll(page);
  await snap(page, testInfo, 'history-empty-360');
  await start.click();
  await expect(page).toHaveURL(/\/chat\/$/);
});
