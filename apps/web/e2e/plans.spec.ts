// Plans (요금제) in the web app: an admin creates a plan on /admin/plans/ (checked in the browser,
// then by the API), edits it, puts a user on it from the user's page (an upgrade: the user's
// dashboard shows the plan and the larger month at once) and retires it (the user keeps it).
// Both pages at 360 and 1280 px without sideways scrolling. Screenshots: PLANS_SHOTS_DIR=/tmp/shots-plans.
import { expect, test } from '@playwright/test';
import { ADMIN, auth, login, noSidewaysScroll, openAs, register, shotsIn, type Account } from './helpers';

const shotsDir = process.env.PLANS_SHOTS_DIR;

const shot = shotsIn(shotsDir, { fullPage: true });



const nf = (n: number) => new Intl.NumberFormat('ko-KR').format(n);

test('an admin creates, edits, assigns and retires a plan', async ({ page, request, browser }, testInfo) => {
  test.setTimeout(120_000);
  const admin = await login(request, ADMIN.email, ADMIN.password);
  const user = await register(request, 'plan');
  const id = `e2e-${Date.now().toString(36)}`;
  const seeded = await request.get('/api/admin/plans', { headers: auth(admin) });
  expect(seeded.status()).toBe(200);
  const free = ((await seeded.json()) as { id: string; monthlyTokens: number }[]).find((plan) => plan.id === 'free')!;
  const models = ((await (await request.get('/api/chat/models', { headers: auth(admin) })).json()) as { id: string }[]).map((model) => model.id);

  // the user, before: on the free plan
  const userContext = await browser.newContext({ baseURL: testInfo.project.use.baseURL, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
  const userPage = await userContext.newPage();
  await openAs(userPage, user, '/dashboard/');
  await expect(userPage.getByTestId('usage-plan')).toHaveText('요금제: 무료');
  await expect(userPage.getByTestId('usage-card')).toContainText(`/ ${nf(free.monthlyTokens)}`);

  // the admin reaches the page from the dashboard
  await openAs(page, admin, '/admin/');
  await page.getByTestId('admin-plans-link').click();
  await expect(page).toHaveURL(/\/admin\/plans\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('요금제 관리');
  await expect(page.getByTestId('nav-adminplans')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('nav-admin')).not.toHaveAttribute('aria-current', 'page');
  const plus = page.locator('[data-testid="plan-row"][data-plan="plus"]');
  await expect(plus.getByTestId('plan-price')).toHaveText('9,900원');
  await expect(plus.getByTestId('plan-tokens')).toHaveText('1,000,000토큰');
  await expect(page.locator('[data-testid="plan-row"][data-plan="free"]').getByTestId('plan-models')).toHaveText('모든 모델');
  await expect(page.getByTestId('plans-cards')).toBeHidden();
  await noSidewaysScroll(page, '/admin/plans/ at 1280 px');

  // create: the browser checks the figures first
  await page.getByTestId('plan-create').click();
  const dialog = page.getByTestId('plan-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('plan-id').fill('Team Plan');
  await dialog.getByTestId('plan-monthlyTokens').fill('삼백만');
  await dialog.getByTestId('plan-turnsPerMinute').fill('0');
  await dialog.getByTestId('plan-submit').click();
  await expect(dialog.getByTestId('plan-error-id')).toBeVisible();
  await expect(dialog.getByTestId('plan-error-nameKo')).toHaveText('1~40자로 입력해 주세요.');
  await expect(dialog.getByTestId('plan-error-monthlyTokens')).toHaveText('정수로 입력해 주세요.');
  await expect(dialog.getByTestId('plan-error-turnsPerMinute')).toHaveText('1~100,000 사이로 입력해 주세요.');
  await expect(dialog.getByTestId('plan-id')).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.getByTestId('plan-id')).toBeFocused();
  await shot(page, testInfo, 'plans-form-errors');
  await dialog.getByTestId('plan-id').fill(id);
  await dialog.getByTestId('plan-nameKo').fill('팀');
  await dialog.getByTestId('plan-nameEn').fill('Team');
  await dialog.getByTestId('plan-monthlyTokens').fill('3,000,000');
  await dialog.getByTestId('plan-priceKrw').fill('19,900');
  await dialog.getByTestId('plan-turnsPerMinute').fill('90');
  await expect(dialog.getByTestId('plan-error-id')).toHaveCount(0);
  await dialog.getByTestId('plan-submit').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('plan-done')).toHaveText('팀 요금제를 만들었습니다.');
  const row = page.locator(`[data-testid="plan-row"][data-plan="${id}"]`);
  await expect(row.getByTestId('plan-tokens')).toHaveText('3,000,000토큰');
  await expect(row.getByTestId('plan-price')).toHaveText('19,900원');
  await expect(row.getByTestId('plan-models')).toHaveText('모든 모델');
  await expect(row.getByTestId('plan-sale')).toHaveAttribute('data-state', 'forSale');
  await expect(row.getByTestId('plan-accounts')).toHaveText('0명');

  // the API's own refusal is shown as it says it: the same id again
  await page.getByTestId('plan-create').click();
  await dialog.getByTestId('plan-id').fill(id);
  await dialog.getByTestId('plan-nameKo').fill('팀 둘');
  await dialog.getByTestId('plan-nameEn').fill('Team two');
  await dialog.getByTestId('plan-monthlyTokens').fill('1000');
  await dialog.getByTestId('plan-submit').click();
  await expect(dialog.getByTestId('plan-api-error')).toHaveText('같은 ID의 요금제가 이미 있습니다.');
  await dialog.getByRole('button', { name: '취소' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('plan-create')).toBeFocused();

  // edit: a larger month, and one model only
  await row.getByTestId('plan-edit').click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('plan-nameEn')).toHaveValue('Team');
  await dialog.getByTestId('plan-monthlyTokens').fill('5,000,000');
  await dialog.getByTestId('plan-all-models').uncheck();
  await dialog.getByTestId('plan-submit').click();
  await expect(dialog.getByTestId('plan-error-models')).toBeVisible();
  await dialog.getByTestId(`plan-model-${models[0]}`).check();
  await shot(page, testInfo, 'plans-form-edit');
  await dialog.getByTestId('plan-submit').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('plan-done')).toHaveText('팀 요금제를 저장했습니다.');
  await expect(row.getByTestId('plan-tokens')).toHaveText('5,000,000토큰');
  await expect(row.getByTestId('plan-models')).toHaveText(models[0]!);
  await expect(row).toContainText('관리자가 수정함');
  await shot(page, testInfo, 'plans-1280');

  // assign it on the user's page: an upgrade, applied now
  await page.goto(`/admin/user/?id=${user.user.id}`);
  await expect(page.getByTestId('user-plan-current')).toHaveText('무료');
  await expect(page.getByTestId('user-plan-next')).toHaveText('변경 예정 없음');
  await page.getByTestId('user-plan-select').selectOption(id);
  await page.getByTestId('user-plan-change').click();
  const result = page.getByTestId('user-plan-result');
  await expect(result).toHaveAttribute('data-change', 'upgrade');
  await expect(result).toContainText(`지금 적용: 이번 달 토큰 ${nf(5_000_000 - free.monthlyTokens)}토큰 추가`);
  await expect(page.getByTestId('user-plan-current')).toHaveText('팀');
  await expect(page.getByTestId('usage-plan')).toHaveText('요금제: 팀');
  await expect(page.getByTestId('usage-card')).toContainText(`/ ${nf(5_000_000)}`);
  await noSidewaysScroll(page, '/admin/user/ at 1280 px');
  await shot(page, testInfo, 'plans-user-1280');
  // the same plan again changes nothing
  await page.getByTestId('user-plan-change').click();
  await expect(result).toHaveAttribute('data-change', 'same');
  await expect(result).toHaveText('변경 없음: 이미 팀 요금제입니다.');

  // the user's dashboard: the plan's name and the larger month
  await userPage.reload();
  await expect(userPage.getByTestId('usage-plan')).toHaveText('요금제: 팀');
  await expect(userPage.getByTestId('usage-card')).toContainText(`/ ${nf(5_000_000)}`);
  await shot(userPage, testInfo, 'plans-user-dashboard');

  // retire it, after saying what it means; the user stays on it
  await page.goto('/admin/plans/');
  await expect(row.getByTestId('plan-accounts')).toContainText('1명');
  await row.getByTestId('plan-retire').click();
  const retire = page.getByTestId('retire-dialog');
  await expect(retire).toContainText('지금 이용 중인 1명은 다른 요금제로 옮길 때까지 이 요금제를 그대로 씁니다.');
  await shot(page, testInfo, 'plans-retire-confirm');
  await retire.getByTestId('retire-confirm').click();
  await expect(retire).toBeHidden();
  await expect(page.getByTestId('plan-done')).toHaveText('팀 요금제의 판매를 중지했습니다.');
  await expect(row.getByTestId('plan-sale')).toHaveAttribute('data-state', 'retired');
  await expect(row.getByTestId('plan-retire')).toHaveCount(0);
  await expect(row.getByTestId('plan-accounts')).toContainText('1명');
  const usage = await (await request.get('/api/ai-usage', { headers: auth(user) })).json();
  expect(usage.plan.id).toBe(id);
  await userPage.reload();
  await expect(userPage.getByTestId('usage-plan')).toHaveText('요금제: 팀');

  // phones: cards instead of the table, and nothing wider than the screen
  await page.setViewportSize({ width: 360, height: 800 });
  await page.goto('/admin/plans/');
  await expect(page.getByTestId('plans-table')).toBeHidden();
  await expect(page.locator(`[data-testid="plan-card"][data-plan="${id}"]`)).toContainText('19,900원');
  await noSidewaysScroll(page, '/admin/plans/ at 360 px');
  await shot(page, testInfo, 'plans-360');
  await page.getByTestId('plan-create').click();
  await expect(dialog).toBeVisible();
  await noSidewaysScroll(page, 'the plan form at 360 px');
  await shot(page, testInfo, 'plans-form-360');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await page.goto(`/admin/user/?id=${user.user.id}`);
  await expect(page.getByTestId('user-plan-current')).toHaveText('팀');
  await noSidewaysScroll(page, '/admin/user/ at 360 px');
  await shot(page, testInfo, 'plans-user-360');
  await userPage.setViewportSize({ width: 360, height: 800 });
  await noSidewaysScroll(userPage, '/dashboard/ at 360 px');
  await shot(userPage, testInfo, 'plans-user-dashboard-360');

  // English, on a phone
  await page.goto('/admin/plans/');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Plans');
  await expect(page.locator(`[data-testid="plan-card"][data-plan="${id}"]`)).toContainText('Team');
  await expect(page.locator(`[data-testid="plan-card"][data-plan="${id}"]`)).toContainText('₩19,900');
  await noSidewaysScroll(page, '/admin/plans/ in English at 360 px');
  await shot(page, testInfo, 'plans-360-en');
  await userContext.close();
});

test('a downgrade waits for the reset, and the user’s card says when', async ({ page, request }, testInfo) => {
  const admin = await login(request, ADMIN.email, ADMIN.password);
  const user = await register(request, 'plan-down');
  const put = (planId: string) => request.put(`/api/admin/users/${user.user.id}/plan`, { data: { planId }, headers: auth(admin) });
  expect((await put('pro')).status()).toBe(200);
  await openAs(page, admin, `/admin/user/?id=${user.user.id}`);
  await expect(page.getByTestId('user-plan-current')).toHaveText('프로');
  await page.getByTestId('user-plan-select').selectOption('plus');
  await page.getByTestId('user-plan-change').click();
  const result = page.getByTestId('user-plan-result');
  await expect(result).toHaveAttribute('data-change', 'downgrade');
  await expect(result).toContainText(/^플러스 요금제로 바꿉니다\. \d{4}\. \d{1,2}\. \d{1,2}\. 초기화부터 적용$/);
  await expect(page.getByTestId('user-plan-current')).toHaveText('프로');
  await expect(page.getByTestId('user-plan-next')).toContainText('부터 플러스 요금제');
  await expect(page.getByTestId('usage-plan-next')).toContainText('부터 플러스 요금제');
  await shot(page, testInfo, 'plans-user-downgrade');
  // choosing the current plan again cancels the change ahead
  await page.getByTestId('user-plan-select').selectOption('pro');
  await page.getByTestId('user-plan-change').click();
  await expect(result).toHaveText('변경 없음: 프로 요금제를 유지하고 예정된 변경을 취소했습니다.');
  await expect(page.getByTestId('user-plan-next')).toHaveText('변경 예정 없음');
});

test('a user compares plans, buys Plus (applied at once, renewing before the reset) and moves back to free from the reset', async ({ page, request }, testInfo) => {
  const user = await register(request, 'plan-buyer');
  await page.setViewportSize({ width: 360, height: 800 });
  await openAs(page, user, '/plans/');
  await expect(page.getByTestId('current-plan')).toHaveAttribute('data-standing', 'free');
  await expect(page.getByTestId('plan-card-free')).toHaveAttribute('aria-current', 'true');
  await expect(page.getByTestId('plan-card-plus')).toContainText('월 9,900원');
  await expect(page.getByTestId('plan-card-plus')).toContainText(`매월 ${nf(1_000_000)}토큰`);
  await expect(page.getByTestId('plan-card-enterprise')).toHaveCount(0);
  await noSidewaysScroll(page, 'plans at 360 px');
  await shot(page, testInfo, 'plans-page-360');

  await page.getByRole('button', { name: '플러스 요금제 구독' }).click();
  await expect(page.getByTestId('confirm-dialog')).toContainText('지금 9,900원이 결제되고 바로 적용되어');
  await page.getByTestId('confirm-purchase').click();
  await expect(page.getByTestId('plan-done')).toHaveText('플러스 요금제가 적용되었습니다.');
  await expect(page.getByTestId('plan-card-plus')).toHaveAttribute('aria-current', 'true');
  const standing = page.getByTestId('current-plan');
  await expect(standing).toHaveAttribute('data-standing', 'renews');
  await expect(page.getByTestId('plan-standing')).toContainText('9,900원이 자동 결제됩니다');
  // The usage card follows at once: the larger month.
  const usage = await (await request.get('/api/ai-usage', { headers: auth(user) })).json();
  expect(usage.plan.id).toBe('plus');

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByTestId('plan-to-free').click();
  await expect(page.getByTestId('to-free-dialog')).toContainText('플러스 요금제를 그대로 쓰고');
  await page.getByTestId('to-free-dialog-confirm').click();
  await expect(page.getByTestId('plan-done')).toContainText(/^무료 요금제로 바꿉니다\. \d{4}\. \d{1,2}\. \d{1,2}\. 초기화부터 적용$/);
  await expect(standing).toHaveAttribute('data-standing', 'moves');
  await expect(page.getByTestId('plan-standing')).toContainText('부터 무료 요금제');
  await noSidewaysScroll(page, 'plans at 1280 px');
  // Changing one's mind before the reset: the plan goes on, renewing as before.
  await page.getByTestId('plan-keep-plus').click();
  await expect(page.getByTestId('plan-done')).toHaveText('변경 없음: 플러스 요금제를 유지하고 예정된 변경을 취소했습니다.');
  await expect(standing).toHaveAttribute('data-standing', 'renews');
  await shot(page, testInfo, 'plans-page-1280');
});
