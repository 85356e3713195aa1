// API keys (API 키) in the web app: a user reaches the page from the navigation, the name is
// checked in the browser first, a new key is shown once (then only its prefix), works against
// /v1/models, shows its last use, and is revoked with a confirmation — the next request with it is
// refused. Its settings (budget, rate, models, kept conversations) are checked and saved, its use
// shown for the month and over 30 days. An organization's owner manages its keys on the same page. At 360 and 1280 px without
// sideways scrolling. Screenshots: KEYS_SHOTS_DIR=/tmp/shots-keys.
import { expect, test } from '@playwright/test';
import { noSidewaysScroll, openAs, organizationWith, register, shotsIn } from './helpers';

const shot = shotsIn(process.env.KEYS_SHOTS_DIR, { fullPage: true });

test('a user makes an API key, sees it once, uses it and revokes it; an owner makes the organization’s', async ({ page, request }, testInfo) => {
  test.setTimeout(120_000);
  const user = await register(request, 'keys');
  const organizationId = await organizationWith(request, user, '키 관리 조직', []);
  const models = (key: string) => request.get('/v1/models', { headers: { authorization: `Bearer ${key}` } });

  await openAs(page, user, '/dashboard/');
  await page.getByTestId('nav-api-keys').click();
  await expect(page).toHaveURL(/\/api-keys\/$/);
  await expect(page).toHaveTitle('API 키 — Consult-On');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('API 키');
  const mine = page.getByTestId('keys-mine');
  await expect(mine.getByTestId('keys-none')).toBeVisible();
  await expect(page.getByTestId('keys-base-url')).toHaveText(`${new URL(testInfo.project.use.baseURL!).origin}/v1`);

  // the browser checks the name first
  await mine.getByTestId('key-create-submit').click();
  await expect(mine.getByTestId('key-create-error')).toHaveText('키 이름을 입력해 주세요.');
  await mine.getByTestId('key-create-input').fill('가'.repeat(101));
  await mine.getByTestId('key-create-submit').click();
  await expect(mine.getByTestId('key-create-error')).toHaveText('키 이름은 100자 이하로 입력해 주세요.');

  // made: shown this once
  await mine.getByTestId('key-create-input').fill('상담 봇');
  await mine.getByTestId('key-create-submit').click();
  const value = mine.getByTestId('key-created-value');
  await expect(value).toHaveText(/^co_live_[A-Za-z0-9_-]{55}$/);
  const key = (await value.textContent())!;
  await shot(page, testInfo, 'keys-created-1280');
  await noSidewaysScroll(page, '/api-keys/ with a new key at 1280 px');
  expect((await models(key)).status()).toBe(200);
  await mine.getByTestId('key-created-done').click();
  await expect(value).toHaveCount(0);
  const row = mine.getByTestId('key-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(key.slice(0, 20));
  await expect(row).not.toContainText(key.slice(20));
  await expect(row.getByTestId('key-status')).toHaveText('사용 중');
  // a chat turn with the key: charged, and shown as this month's use
  const turn = await request.post('/v1/chat/completions', {
    headers: { authorization: `Bearer ${key}` },
    data: { model: 'consult-basic', messages: [{ role: 'user', content: '안녕하세요' }] },
  });
  expect(turn.status()).toBe(200);
  expect(turn.headers()['x-consult-on-usage-level']).toBe('NORMAL');
  await page.reload();
  await expect(row).not.toContainText('사용 기록 없음');
  await expect(row.getByTestId('key-usage-line')).toHaveText(/^이번 달 [\d,]+토큰 사용$/);

  // its settings: checked in the browser, saved, shown in the list; its use over 30 days
  await row.getByTestId('key-settings-open').click();
  const settings = page.getByTestId('key-settings-dialog');
  await expect(settings).toContainText('상담 봇 키 설정');
  await expect(settings.getByTestId('daily-chart')).toBeVisible();
  await settings.getByTestId('key-turnsPerMinute').fill('0');
  await settings.getByTestId('key-settings-dialog-confirm').click();
  await expect(settings.getByTestId('key-limit-invalid')).toHaveText('1분당 요청 수에는 1부터 10,000까지의 정수를 입력하거나 비워 두세요.');
  await expect(settings.getByTestId('key-turnsPerMinute')).toBeFocused();
  await settings.getByTestId('key-turnsPerMinute').fill('30');
  await settings.getByTestId('key-monthlyBudgetTokens').fill('50,000');
  await settings.getByTestId('key-keep').check();
  await shot(page, testInfo, 'keys-settings-1280');
  await settings.getByTestId('key-settings-dialog-confirm').click();
  await expect(settings).toHaveCount(0);
  await expect(row.getByTestId('key-usage-line')).toHaveText(/^이번 달 예산 50,000토큰 중 [\d,]+토큰 사용$/);
  const listed = (await (await request.get('/api/api-keys', { headers: { authorization: `Bearer ${user.token}` } })).json()) as { monthlyBudgetTokens: number; turnsPerMinute: number; keepConversations: boolean }[];
  expect(listed[0]).toMatchObject({ monthlyBudgetTokens: 50_000, turnsPerMinute: 30, keepConversations: true });

  // revoked after a confirmation: the next request is refused
  await row.getByTestId('key-revoke').click();
  await expect(page.getByTestId('revoke-key-dialog')).toContainText('상담 봇 키를 폐기하시겠습니까?');
  await shot(page, testInfo, 'keys-revoke-dialog-1280');
  await page.getByTestId('revoke-key-dialog').getByRole('button', { name: '폐기' }).click();
  await expect(row.getByTestId('key-status')).toHaveText('폐기됨');
  await expect(row.getByTestId('key-revoke')).toHaveCount(0);
  expect((await models(key)).status()).toBe(401);

  // the organization's keys, for its owner
  const organization = page.getByTestId(`keys-${organizationId}`);
  await expect(page.getByRole('heading', { name: '키 관리 조직 조직의 API 키' })).toBeVisible();
  await organization.getByTestId('key-create-input').fill('사내 챗봇');
  await organization.getByTestId('key-create-submit').click();
  const organizationKey = (await organization.getByTestId('key-created-value').textContent())!;
  expect((await models(organizationKey)).status()).toBe(200);
  await organization.getByTestId('key-created-done').click();
  await expect(organization.getByTestId('key-row')).toContainText(user.email);

  // on a phone: cards, nothing wider than the screen
  await page.setViewportSize({ width: 360, height: 800 });
  await expect(mine.getByTestId('key-card')).toHaveCount(1);
  await expect(mine.getByTestId('key-card')).toContainText('폐기됨');
  await noSidewaysScroll(page, '/api-keys/ at 360 px');
  await shot(page, testInfo, 'keys-360');
  await organization.getByTestId('key-card').getByTestId('key-settings-open').click();
  await expect(page.getByTestId('key-settings-dialog').getByTestId('key-usage')).toBeVisible();
  await noSidewaysScroll(page, '/api-keys/ settings at 360 px');
  await shot(page, testInfo, 'keys-settings-360');
});
