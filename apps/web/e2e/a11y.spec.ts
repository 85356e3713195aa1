import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { ADMIN, login, openAs, register, setUsage, type Account } from './helpers';

// Every page through axe (WCAG 2 A/AA): no serious or critical violation; the rest is printed.
// `strict`: no violation at all (the pages of an organization's pool and its workspace).
async function audit(page: Page, label: string, strict = false): Promise<void> {
  await expect(page.getByRole('main').first()).toBeVisible();
  await page.waitForTimeout(300);
  const { violations, passes } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(passes.length, `${label}: axe ran its rules`).toBeGreaterThan(10);
  console.log(`${label}: ${passes.length} rules passed, ${violations.length} violations`);
  const describe = (v: (typeof violations)[number]) => `${label}: [${v.impact}] ${v.id} — ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`;
  for (const v of violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical')) console.log(describe(v));
  expect(violations.filter((v) => strict || v.impact === 'serious' || v.impact === 'critical').map(describe)).toEqual([]);
}

async function getJson<T>(page: Page, account: Account, path: string): Promise<T> {
  const response = await page.request.get(path, { headers: { authorization: `Bearer ${account.token}` } });
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as T;
}

test('axe: every page has no serious or critical violation', async ({ page, request }) => {
  test.setTimeout(300_000);
  await page.goto('/login/');
  await audit(page, '/login/');
  await page.goto('/register/');
  await audit(page, '/register/');
  await page.goto('/forgot-password/');
  await page.getByTestId('forgot-submit').click();
  await expect(page.getByTestId('forgot-error')).toBeVisible();
  await audit(page, '/forgot-password/ with an error');
  await page.goto('/reset-password/');
  await expect(page.getByTestId('reset-error')).toBeVisible();
  await audit(page, '/reset-password/ without a token');
  await page.goto('/verify-email/');
  await expect(page.getByTestId('verify-error')).toBeVisible();
  await audit(page, '/verify-email/ without a token');
  await page.goto('/no-such-page/');
  await expect(page.locator('body')).toContainText('404');
  await audit(page, '404');

  const admin = await login(request, ADMIN.email, ADMIN.password);
  const user = await register(request, 'a11y');
  await openAs(page, user, '/dashboard/');
  await expect(page.getByTestId('usage-card')).toHaveAttribute('data-level', 'NORMAL');
  await audit(page, '/dashboard/ NORMAL');

  await page.goto('/chat/');
  await page.getByTestId('message-input').fill('안녕하세요, 상담을 받고 싶어요.');
  await page.getByTestId('send-button').click();
  await expect(page.getByTestId('assistant-message').first().getByTestId('receipt-toggle')).toBeVisible({ timeout: 30_000 });
  await audit(page, '/chat/');

  await setUsage(request, admin, user.user.id, 92);
  await page.goto('/dashboard/');
  await expect(page.getByTestId('usage-card')).toHaveAttribute('data-level', 'WARNING');
  await audit(page, '/dashboard/ 92 %');

  await page.goto('/purchase/');
  await expect(page.getByTestId('package-tokens-50k')).toBeVisible();
  await audit(page, '/purchase/');
  await page.getByTestId('package-tokens-50k').getByRole('button').click();
  await expect(page.getByTestId('confirm-purchase')).toBeVisible();
  await audit(page, '/purchase/ confirm dialog');
  await page.getByTestId('confirm-purchase').click();
  await expect(page.getByTestId('purchase-done')).toBeVisible();

  const [order] = await getJson<{ id: string }[]>(page, user, '/api/payments/orders');
  await page.goto(`/purchase/result/?order=${order.id}`);
  await audit(page, '/purchase/result/');
  await page.goto('/purchases/');
  await expect(page.getByTestId('order-row').first()).toBeVisible();
  await audit(page, '/purchases/');
  await page.goto(`/purchases/receipt/?id=${order.id}`);
  await expect(page.getByTestId('receipt-total')).toBeVisible();
  await audit(page, '/purchases/receipt/');
  await page.goto('/history/');
  await audit(page, '/history/');
  await page.goto('/notifications/');
  await audit(page, '/notifications/');

  // organizations: the list with its form, an organization's page as its owner (members, links, a
  // link just made, the leave dialog), as a member, and the invitation link's page
  const org = await page.request.post('/api/organizations', { data: { name: '접근성 점검 조직' }, headers: { authorization: `Bearer ${user.token}` } });
  expect(org.status(), await org.text()).toBe(201);
  const orgId = ((await org.json()) as { id: string }).id;
  const colleague = await register(request, 'a11y-org');
  const invitation = await page.request.post(`/api/organizations/${orgId}/invitations`, { data: { role: 'MEMBER' }, headers: { authorization: `Bearer ${user.token}` } });
  const { path: joinPath } = (await invitation.json()) as { path: string };
  expect((await page.request.post('/api/organizations/invitations/accept', { data: { token: new URL(joinPath, 'http://x').searchParams.get('token') }, headers: { authorization: `Bearer ${colleague.token}` } })).status()).toBe(200);
  await page.goto('/organizations/');
  await expect(page.getByTestId('org-row').first()).toBeVisible();
  await audit(page, '/organizations/');
  await page.getByTestId('org-create-submit').click();
  await expect(page.getByTestId('org-create-error')).toBeVisible();
  await audit(page, '/organizations/ form with an error');
  await page.goto(`/organizations/detail/?id=${orgId}`);
  await expect(page.getByTestId('member-row')).toHaveCount(2);
  // the pool card and the members' limits, with an editor's error
  await expect(page.getByTestId('org-pool').getByTestId('usage-card')).toBeVisible();
  await audit(page, '/organizations/detail/ owner: pool and limits', true);
  const limitRow = page.locator(`[data-testid="member-row"][data-email="${colleague.email}"]`);
  await limitRow.getByTestId('member-limit-input').fill('-1');
  await limitRow.getByTestId('member-limit-save').click();
  await expect(limitRow.getByTestId('member-limit-error')).toBeVisible();
  await audit(page, '/organizations/detail/ limit editor with an error', true);
  await page.getByTestId('invite-submit').click();
  await expect(page.getByTestId('invite-url')).toBeVisible();
  await audit(page, '/organizations/detail/ owner with a new link');
  await page.getByTestId('org-leave').click();
  await expect(page.getByTestId('leave-dialog')).toBeVisible();
  await audit(page, '/organizations/detail/ leave dialog');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 360, height: 800 });
  await expect(page.getByTestId('member-card').first()).toBeVisible();
  await audit(page, '/organizations/detail/ at 360 px', true);
  await page.setViewportSize({ width: 1280, height: 900 });
  // the organization's workspace: the dashboard's pool card and the chat in it
  await page.getByLabel('작업 공간').selectOption(orgId);
  await page.goto('/dashboard/');
  await expect(page.getByTestId('usage-card')).toHaveAttribute('data-workspace', 'organization');
  await audit(page, '/dashboard/ in an organization', true);
  await page.goto('/chat/');
  await page.getByTestId('message-input').fill('조직의 토큰으로 상담을 받고 싶습니다.');
  await page.getByTestId('send-button').click();
  await expect(page.getByTestId('assistant-message').first().getByTestId('receipt-toggle')).toBeVisible({ timeout: 30_000 });
  await audit(page, '/chat/ in an organization', true);
  await page.getByLabel('작업 공간').selectOption('');
  // API keys: one's own and the organization's, with a key just made, and the revoke dialog
  await page.goto('/api-keys/');
  await page.getByTestId('keys-mine').getByTestId('key-create-input').fill('접근성 점검 키');
  await page.getByTestId('keys-mine').getByTestId('key-create-submit').click();
  await expect(page.getByTestId('key-created-value')).toBeVisible();
  await audit(page, '/api-keys/ with a new key', true);
  await page.getByTestId('key-created-done').click();
  await page.getByTestId('keys-mine').getByTestId('key-row').getByTestId('key-revoke').click();
  await expect(page.getByTestId('revoke-key-dialog')).toBeVisible();
  await audit(page, '/api-keys/ revoke dialog');
  await page.keyboard.press('Escape');
  await page.getByTestId('keys-mine').getByTestId('key-row').getByTestId('key-settings-open').click();
  await expect(page.getByTestId('key-settings-dialog').getByTestId('key-usage')).toBeVisible();
  await page.getByTestId('key-concurrentTurns').fill('0');
  await page.getByTestId('key-settings-dialog-confirm').click();
  await expect(page.getByTestId('key-limit-invalid')).toBeVisible();
  await audit(page, '/api-keys/ settings dialog with an error');
  await page.keyboard.press('Escape');
  await page.goto('/settings/');
  await page.getByTestId('password-submit').click();
  await expect(page.getByTestId('password-error')).toBeVisible();
  await audit(page, '/settings/ with an error');
  await page.getByTestId('delete-open').click();
  await page.getByTestId('delete-dialog-confirm').click();
  await expect(page.getByTestId('delete-dialog').getByRole('alert')).toBeVisible();
  await audit(page, '/settings/ delete dialog with an error');
  await page.keyboard.press('Escape');
  await page.goto('/reports/');
  await expect(page.getByTestId('report-heatmap')).toBeVisible();
  await audit(page, '/reports/');
  const colleagueContext = await page.context().browser()!.newContext({ baseURL: test.info().project.use.baseURL, locale: 'ko-KR' });
  const colleaguePage = await colleagueContext.newPage();
  await openAs(colleaguePage, colleague, `/organizations/detail/?id=${orgId}`);
  await expect(colleaguePage.getByTestId('org-member-view')).toBeVisible();
  await expect(colleaguePage.getByTestId('member-limit-line')).toBeVisible();
  await audit(colleaguePage, '/organizations/detail/ member', true);
  const next = await page.request.post(`/api/organizations/${orgId}/invitations`, { data: { role: 'MEMBER' }, headers: { authorization: `Bearer ${user.token}` } });
  await colleaguePage.goto(((await next.json()) as { path: string }).path);
  await expect(colleaguePage.getByTestId('join-accept')).toBeVisible();
  await audit(colleaguePage, '/organizations/join/');
  await colleaguePage.getByTestId('join-accept').click();
  await expect(colleaguePage.getByTestId('join-error')).toBeVisible();
  await audit(colleaguePage, '/organizations/join/ with an error');
  await colleagueContext.close();

  const adminContext = await page.context().browser()!.newContext({ baseURL: test.info().project.use.baseURL, locale: 'ko-KR' });
  const adminPage = await adminContext.newPage();
  await openAs(adminPage, admin, '/admin/');
  await audit(adminPage, '/admin/');
  await adminPage.goto(`/admin/user/?id=${user.user.id}`);
  await expect(adminPage.locator('body')).toContainText(user.email);
  await expect(adminPage.getByTestId('user-plan-select')).toBeEnabled();
  await audit(adminPage, '/admin/user/');
  await adminPage.goto('/admin/reports/');
  await expect(adminPage.getByTestId('cohort-report')).toBeVisible();
  await audit(adminPage, '/admin/reports/');
  await adminPage.goto('/admin/plans/');
  await expect(adminPage.getByTestId('plan-row').first()).toBeVisible();
  await audit(adminPage, '/admin/plans/');
  await adminPage.getByTestId('plan-create').click();
  await adminPage.getByTestId('plan-submit').click();
  await expect(adminPage.getByTestId('plan-error-id')).toBeVisible();
  await audit(adminPage, '/admin/plans/ form with errors');
  await adminPage.keyboard.press('Escape');
  await adminPage.getByTestId('plan-retire').first().click();
  await expect(adminPage.getByTestId('retire-dialog')).toBeVisible();
  await audit(adminPage, '/admin/plans/ retire dialog');
  await adminPage.keyboard.press('Escape');
  // the organizations: the list, and one organization's page (its pool, members' use and plan form)
  await adminPage.goto('/admin/organizations/');
  await expect(adminPage.getByTestId('org-row').first()).toBeVisible();
  await audit(adminPage, '/admin/organizations/', true);
  await adminPage.goto(`/admin/organizations/detail/?id=${orgId}`);
  await expect(adminPage.getByTestId('admin-member-row')).toHaveCount(2);
  await expect(adminPage.getByTestId('org-plan-select')).toBeEnabled();
  await audit(adminPage, '/admin/organizations/detail/', true);
  await adminPage.setViewportSize({ width: 360, height: 800 });
  await expect(adminPage.getByTestId('admin-member').first()).toBeVisible();
  await audit(adminPage, '/admin/organizations/detail/ at 360 px', true);
  await adminPage.goto('/admin/organizations/');
  await expect(adminPage.getByTestId('org-card').first()).toBeVisible();
  await audit(adminPage, '/admin/organizations/ at 360 px', true);
  await adminPage.goto('/admin/plans/');
  await expect(adminPage.getByTestId('plan-card').first()).toBeVisible();
  await audit(adminPage, '/admin/plans/ at 360 px');
  await adminContext.close();
});

test('keyboard: /chat/ opens with the message box focused', async ({ page, request }) => {
  const user = await register(request, 'kbd');
  await openAs(page, user, '/chat/');
  await expect(page.getByTestId('message-input')).toBeFocused();
});

test('keyboard: Escape on the bell and on a dialog gives focus back to the opener', async ({ page, request }) => {
  const user = await register(request, 'kbd');
  await openAs(page, user, '/purchase/');
  const bell = page.getByTestId('bell');
  await bell.focus();
  await page.keyboard.press('Enter');
  await expect(bell).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('Escape');
  await expect(bell).toHaveAttribute('aria-expanded', 'false');
  await expect(bell).toBeFocused();

  const buy = page.getByTestId('package-tokens-50k').getByRole('button');
  await buy.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('confirm-dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('confirm-dialog')).toBeHidden();
  await expect(buy).toBeFocused();
});

test('the language button’s accessible name contains its visible text', async ({ page }) => {
  await page.goto('/login/');
  const button = page.getByTestId('lang-switch');
  const visible = (await button.innerText()).trim();
  expect(visible.length).toBeGreaterThan(0);
  await expect(button).toHaveAccessibleName(new RegExp(visible));
  await button.click();
  const after = (await button.innerText()).trim();
  expect(after).not.toBe(visible);
  await expect(button).toHaveAccessibleName(new RegExp(after));
});
