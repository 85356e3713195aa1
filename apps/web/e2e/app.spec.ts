import { expect, test } from '@playwright/test';
import { ADMIN, cspViolations, login, openAs, register, setUsage, snap, uniqueEmail, type Account } from './helpers';

let admin: Account;

test.beforeAll(async ({ request }) => {
  admin = await login(request, ADMIN.email, ADMIN.password);
});

test('register → dashboard shows a green 0 % card', async ({ page }, testInfo) => {
  const violations = cspViolations(page);
  await page.goto('/register/');
  await page.getByLabel('이메일').fill(uniqueEmail('signup'));
  await page.getByLabel('비밀번호').fill('Quiet-river-4821');
  await page.getByRole('button', { name: '가입하기' }).click();
  await expect(page).toHaveURL(/\/dashboard\/$/);
  const card = page.getByTestId('usage-card');
  await expect(card).toHaveAttribute('data-level', 'NORMAL');
  await expect(page.getByTestId('usage-percent')).toHaveText('0%');
  await expect(page.getByTestId('usage-bar')).toHaveClass(/bg-green-600/);
  await expect(page.getByTestId('purchase-button')).toHaveCount(0);
  await expect(page.getByTestId('usage-banner')).toHaveCount(0);
  await expect(page.getByTestId('chat-button')).toBeEnabled();
  await expect(page.getByText('AI 사용량')).toBeVisible();
  // hydrated under a policy that allows the page's inline scripts by hash only
  const policy = (await page.request.get('/dashboard/')).headers()['content-security-policy'];
  expect(policy).toMatch(/script-src 'self'( 'sha256-[\w+/=]+')+;/);
  expect(violations).toEqual([]);
  await snap(page, testInfo, 'dashboard-normal');
  // the session is kept across reloads, and logout returns to login
  await page.reload();
  await expect(page.getByTestId('usage-card')).toBeVisible();
  await page.getByRole('button', { name: '로그아웃' }).click();
  await expect(page).toHaveURL(/\/login\/$/);
});

test('an expired or invalid token sends the user back to login', async ({ page }) => {
  await openAs(page, { token: 'not-a-valid-token', user: { id: '', email: '', role: 'USER' }, email: '', password: '' }, '/dashboard/');
  await expect(page).toHaveURL(/\/login\/\?expired=1/);
  await expect(page.getByText('세션이 만료되었습니다')).toBeVisible();
  // a production build never shows the demo account (development builds only)
  await expect(page.getByTestId('demo-accounts')).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText('demo1234');
  await expect(page).toHaveTitle('로그인 — Consult-On');
});

test('login goes on to ?next= only when it stays on the site', async ({ page, request }) => {
  const user = await register(request, 'next');
  await page.goto('/login/?next=/%5Cexample.com/x');
  await page.getByLabel('이메일').fill(user.email);
  await page.getByLabel('비밀번호').fill(user.password);
  await page.getByRole('button', { name: '로그인' }).click();
  await expect(page).toHaveURL(/\/dashboard\/$/);
  // signed in, the login page sends the user on at once
  await page.goto('/login/?next=/%09/example.com/x');
  await expect(page).toHaveURL(/\/dashboard\/$/);
  await page.goto('/login/?next=%2Fhistory%2F%3Fpage%3D1');
  await expect(page).toHaveURL(/\/history\/\?page=1$/);
});

test('usage levels: 92 % orange + purchase button, 96 % red, 105 % blocked', async ({ page, request }, testInfo) => {
  const user = await register(request, 'levels');
  await setUsage(request, admin, user.user.id, 92);
  await openAs(page, user, '/dashboard/');
  await expect(page.getByTestId('usage-card')).toHaveAttribute('data-level', 'WARNING');
  const banner = page.getByTestId('usage-banner');
  await expect(banner).toHaveAttribute('data-level', 'WARNING');
  await expect(banner).toHaveClass(/bg-orange-100/);
  await expect(page.getByTestId('purchase-button')).toBeVisible();
  await expect(page.getByTestId('purchase-button')).toHaveText('토큰 추가 구매');
  await expect(page.getByTestId('usage-bar')).toHaveClass(/bg-orange-500/);
  await snap(page, testInfo, 'dashboard-92-warning');

  await setUsage(request, admin, user.user.id, 96);
  await page.reload();
  await expect(page.getByTestId('usage-banner')).toHaveAttribute('data-level', 'CRITICAL');
  await expect(page.getByTestId('usage-banner')).toHaveClass(/bg-red-100/);
  await expect(page.getByTestId('purchase-button')).toBeVisible();
  await expect(page.getByTestId('chat-button')).toBeEnabled();
  await snap(page, testInfo, 'dashboard-96-critical');

  await setUsage(request, admin, user.user.id, 105);
  await page.reload();
  await expect(page.getByTestId('usage-card')).toHaveAttribute('data-level', 'BLOCKED');
  await expect(page.getByTestId('chat-button')).toBeDisabled();
  await expect(page.getByTestId('blocked-message')).toBeVisible();
  await expect(page.getByTestId('usage-banner')).toHaveClass(/bg-red-700/);
  await snap(page, testInfo, 'dashboard-105-blocked');

  await page.goto('/chat/');
  await expect(page.getByTestId('chat-blocked')).toBeVisible();
  await expect(page.getByTestId('message-input')).toHaveCount(0);
  await expect(page.getByTestId('chat-blocked').getByRole('link')).toHaveAttribute('href', '/purchase/');
  await snap(page, testInfo, 'chat-blocked');
});

test('chat: streamed reply, receipt, updated usage', async ({ page, request }, testInfo) => {
  const user = await register(request, 'chat');
  await openAs(page, user, '/chat/');
  await expect(page.getByTestId('chat-remaining')).toHaveText('100,000');
  const input = page.getByTestId('message-input');
  await input.fill('안녕하세요, 상담을 받고 싶어요.');
  await expect(page.getByTestId('cost-preview')).toContainText('예상 비용');
  await page.getByTestId('send-button').click();
  await expect(page.getByTestId('user-message')).toHaveText(/안녕하세요/);
  const reply = page.getByTestId('assistant-message').first();
  await expect(reply.getByTestId('receipt-toggle')).toBeVisible({ timeout: 30_000 });
  expect((await reply.innerText()).length).toBeGreaterThan(10);
  await reply.getByTestId('receipt-toggle').click();
  await expect(reply.getByTestId('receipt')).toContainText('차감 토큰');
  await expect(page.getByTestId('chat-remaining')).not.toHaveText('100,000');
  await expect(page).toHaveURL(/\/chat\/\?c=/);
  await expect(page.getByTestId('conversation-list').getByRole('button')).toHaveCount(1);
  await snap(page, testInfo, 'chat');

  await page.getByTestId('nav-dashboard').click();
  await expect(page.getByTestId('used-tokens')).not.toHaveText('0');
  await expect(page.getByTestId('usage-card')).toHaveAttribute('data-level', 'NORMAL');

  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId('daily-chart').locator('svg').first()).toBeVisible();
  await expect(page.getByTestId('ledger-table').locator('tr[data-kind="CONSUMPTION"]')).toHaveCount(1);
  await snap(page, testInfo, 'history');
});

test('chat at 92 %: the warning is shown inline once, where the level changes', async ({ page, request }, testInfo) => {
  const user = await register(request, 'warned');
  await setUsage(request, admin, user.user.id, 92);
  await openAs(page, user, '/chat/');
  await expect(page.getByTestId('chat-usage')).toHaveAttribute('data-level', 'WARNING');
  await page.getByTestId('message-input').fill('요금이 걱정돼요');
  await page.getByTestId('message-input').press('Enter');
  const warning = page.getByTestId('assistant-message').first().getByTestId('inline-warning');
  await expect(warning).toBeVisible({ timeout: 30_000 });
  await expect(warning.getByRole('link')).toHaveAttribute('href', '/purchase/');
  await expect(warning.getByRole('link')).toHaveClass(/btn-primary/);
  await snap(page, testInfo, 'chat-warning');
  // a second turn at the same level: no second notice
  await expect(page.getByTestId('send-button')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('message-input').fill('하나 더 물어볼게요');
  await page.getByTestId('message-input').press('Enter');
  await expect(page.getByTestId('assistant-message').nth(1).getByTestId('receipt-toggle')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('inline-warning')).toHaveCount(1);
});

test('purchase: a double click on confirm is one purchase, and the card updates', async ({ page, request }, testInfo) => {
  const user = await register(request, 'buyer');
  await setUsage(request, admin, user.user.id, 92);
  await openAs(page, user, '/purchase/');
  await expect(page.getByTestId('usage-card')).toHaveAttribute('data-level', 'WARNING');
  await expect(page.getByTestId('package-tokens-50k')).toContainText('5,000원');
  await page.getByTestId('package-tokens-50k').getByRole('button').click();
  const confirm = page.getByTestId('confirm-purchase');
  await expect(confirm).toBeVisible();
  await snap(page, testInfo, 'purchase-confirm');
  await confirm.dblclick();
  await expect(page.getByTestId('purchase-done')).toBeVisible();
  await expect(page.getByTestId('usage-card')).toHaveAttribute('data-level', 'NORMAL');
  await expect(page.getByTestId('purchased-tokens')).toHaveText('50,000');
  await expect(page.getByTestId('usage-banner')).toHaveCount(0);
  await snap(page, testInfo, 'purchase-done');

  const history = await request.get('/api/ai-usage/history?limit=100', { headers: { authorization: `Bearer ${user.token}` } });
  const purchases = (await history.json()).items.filter((entry: { kind: string }) => entry.kind === 'PURCHASE');
  expect(purchases).toHaveLength(1);

  // a second purchase in overage says what it settled, and leads back to the chat
  await setUsage(request, admin, user.user.id, 103);
  await page.reload();
  await page.getByTestId('package-tokens-50k').getByRole('button').click();
  await page.getByTestId('confirm-purchase').click();
  await expect(page.getByTestId('purchase-settlement')).toContainText('토큰이 정산되었고');
  await expect(page.getByTestId('purchase-done').getByRole('link', { name: '상담 이어가기' })).toHaveAttribute('href', '/chat/');
  await snap(page, testInfo, 'purchase-in-overage');

  // the instant provider's orders are listed as paid, with their receipts
  await page.getByTestId('nav-purchases').click();
  const row = page.getByTestId('order-row').last();
  await expect(page.getByTestId('order-row')).toHaveCount(2);
  await expect(row.getByTestId('order-status')).toHaveText('결제 완료');
  await expect(row).toContainText('즉시 결제(개발용)');
  await expect(row).toContainText('5,000원');
  await row.getByTestId('receipt-link').click();
  await expect(page.getByTestId('receipt-total')).toContainText('5,000원');
});

test('a notification pops up while the page is open', async ({ page, request }, testInfo) => {
  const user = await register(request, 'notify');
  const connected = page.waitForResponse((response) => response.url().includes('/api/notifications/stream'));
  // a page without a usage banner: the dashboard would say it in its banner instead (see alerts.spec.ts)
  await openAs(page, user, '/history/');
  await connected;
  await setUsage(request, admin, user.user.id, 91);
  const toast = page.getByTestId('toast');
  await expect(toast).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('unread-count')).toHaveText('1');
  await snap(page, testInfo, 'notification-toast');
  await page.getByTestId('bell').click();
  await expect(page.getByTestId('notification-item').first()).toBeVisible();
  await page.getByTestId('notification-item').first().getByRole('button', { name: '읽음 표시' }).click();
  await expect(page.getByTestId('unread-count')).toHaveCount(0);
});

test('admin dashboard: overview, chart, table, user detail', async ({ page, request }, testInfo) => {
  const someone = await register(request, 'ranked');
  await setUsage(request, admin, someone.user.id, 93);
  await request.delete('/api/admin/token-stats/cache', { headers: { authorization: `Bearer ${admin.token}` } });
  await page.goto('/login/');
  await page.getByLabel('이메일').fill(ADMIN.email);
  await page.getByLabel('비밀번호').fill(ADMIN.password);
  await page.getByRole('button', { name: '로그인' }).click();
  await expect(page.getByTestId('nav-admin')).toBeVisible();
  await page.getByTestId('nav-admin').click();
  await expect(page.getByTestId('overview')).toContainText('전체 사용자');
  await expect(page.getByTestId('distribution-chart').locator('svg').first()).toBeVisible();
  await expect(page.getByTestId('top-users').locator('tbody tr').first()).toBeVisible();
  await page.getByTestId('verify-ledger').click();
  await expect(page.getByTestId('verify-result')).toContainText('토큰 내역 검증 통과');
  await snap(page, testInfo, 'admin');

  await page.getByLabel('이메일 검색').fill(someone.email);
  await page.getByRole('button', { name: '검색' }).click();
  await expect(page.getByTestId('top-users').locator('tbody tr')).toHaveCount(1);
  await page.getByRole('link', { name: someone.email }).click();
  await expect(page).toHaveURL(/\/admin\/user\/\?id=/);
  await expect(page.getByTestId('usage-card')).toHaveAttribute('data-level', 'WARNING');
  await page.getByLabel('토큰 수(음수는 차감)').fill('10000');
  await page.getByLabel('사유(3자 이상)').fill('상담 오류 보상');
  await page.getByRole('button', { name: '조정 적용' }).click();
  await expect(page.getByText('상담 오류 보상').first()).toBeVisible();
  await snap(page, testInfo, 'admin-user');
});

test('a plain user never sees the admin link and gets the 403 page', async ({ page, request }, testInfo) => {
  const user = await register(request, 'plain');
  await openAs(page, user, '/dashboard/');
  await expect(page.getByTestId('usage-card')).toBeVisible();
  await expect(page.getByTestId('nav-admin')).toHaveCount(0);
  await page.goto('/admin/');
  await expect(page.getByTestId('forbidden')).toContainText('403');
  await snap(page, testInfo, 'admin-403');
});

test('English switch and phone width', async ({ page, request }, testInfo) => {
  const user = await register(request, 'english');
  await page.setViewportSize({ width: 390, height: 844 });
  await openAs(page, user, '/dashboard/');
  await expect(page.getByText('AI 사용량')).toBeVisible();
  await page.getByTestId('lang-switch').click();
  await expect(page.getByText('AI usage')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  // the title bar follows the language too (no "AI 상담" left in English)
  await expect(page).toHaveTitle('Dashboard — Consult-On');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await snap(page, testInfo, 'dashboard-phone-en');
  for (const path of ['/chat/', '/purchase/', '/purchases/', '/history/', '/notifications/']) {
    await page.goto(path);
    await expect(page.getByRole('main')).toBeVisible();
    await expect(page.getByText('Loading…')).toHaveCount(0);
    await expect(page).toHaveTitle(/^[^가-힣]+ — Consult-On$/);
    const wider = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(wider, `${path} overflows at phone width`).toBeLessThanOrEqual(0);
    await snap(page, testInfo, `phone-${path.replaceAll('/', '')}`);
  }
  // the 404 page speaks the chosen language only
  await page.goto('/no-such-page/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('404 — Page not found');
  await expect(page.locator('main')).not.toContainText('페이지를 찾을 수 없습니다');
  await expect(page.getByRole('link', { name: 'Back to the dashboard' })).toBeVisible();
});
