// Organizations (조직) for the service's admins: an admin finds an organization on
// /admin/organizations/ by part of its name, opens it, sees its tokens and each member's use of
// them against their limit, puts it on the `enterprise` plan (an upgrade: the pool's month grows at
// once) and sees the organizations section of the stats page. Both pages and the organization's
// at 360 and 1280 px without sideways scrolling. The users, the organization, its members and
// their limits are made through the API. Screenshots: ADMIN_ORGS_SHOTS_DIR=/tmp/shots-admin-orgs.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { ADMIN, auth, login, noSidewaysScroll, openAs, organizationWith, register, setUsage, shotsIn, type Account } from './helpers';

const shot = shotsIn(process.env.ADMIN_ORGS_SHOTS_DIR, { fullPage: true });
const nf = (n: number) => new Intl.NumberFormat('ko-KR').format(n);



test('an admin finds an organization, sees its members’ use and puts it on the enterprise plan', async ({ page, request }, testInfo) => {
  test.setTimeout(150_000);
  const admin = await login(request, ADMIN.email, ADMIN.password);
  const owner = await register(request, 'adm-org-owner');
  const member = await register(request, 'adm-org-member');
  const stamp = Date.now().toString(36);
  const name = `한빛 상담실 ${stamp}`;
  const orgId = await organizationWith(request, owner, name, [member]);
  // the member gets a monthly limit of their own; the owner has none
  const limit = await request.put(`/api/organizations/${orgId}/members/${member.user.id}/limit`, { data: { monthlyLimitTokens: 50_000 }, headers: auth(owner) });
  expect(limit.status(), await limit.text()).toBe(200);
  // the pool used a third of its month, so that the organization counts among the top ones
  await setUsage(request, admin, orgId, 30);
  const before = (await (await request.get(`/api/admin/organizations/${orgId}`, { headers: auth(admin) })).json()) as { pool: { totalAvailable: number; plan: { id: string } } };
  expect(before.pool.plan.id).not.toBe('enterprise');

  // the list: reached from the admin dashboard, then found by part of its name
  await openAs(page, admin, '/admin/');
  await page.getByTestId('admin-organizations-link').click();
  await expect(page).toHaveURL(/\/admin\/organizations\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('조직 관리');
  await expect(page.getByTestId('nav-adminorganizations')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('nav-admin')).not.toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('orgs-summary')).toContainText('전체');
  await page.getByTestId('org-search').fill(stamp);
  await page.getByTestId('org-search').press('Enter');
  await expect(page.getByTestId('orgs-summary')).toHaveText(`‘${stamp}’ 검색 결과 1개 중 1~1번째`);
  const row = page.locator(`[data-testid="org-row"][data-id="${orgId}"]`);
  await expect(page.getByTestId('org-row')).toHaveCount(1);
  await expect(row).toContainText(name);
  await expect(row.getByTestId('org-row-plan')).toHaveText(/무료|free/);
  await expect(row).toContainText('2명');
  await expect(row.getByTestId('org-used')).toHaveText(`${nf(30_000)} / ${nf(before.pool.totalAvailable)}토큰`);
  await expect(page.getByTestId('orgs-cards')).toBeHidden();
  await noSidewaysScroll(page, '/admin/organizations/ at 1280 px');
  await shot(page, testInfo, 'admin-orgs-1280');
  // a search that finds nothing says so, and clearing it shows every organization again
  await page.getByTestId('org-search').fill(`없는-${stamp}`);
  await page.getByTestId('org-search-submit').click();
  await expect(page.getByTestId('orgs-empty')).toContainText('검색 결과가 없습니다');
  await page.getByRole('button', { name: '검색 지우기' }).click();
  await expect(page.getByTestId('org-row').first()).toBeVisible();
  await page.getByTestId('org-search').fill(stamp);
  await page.getByTestId('org-search').press('Enter');
  await expect(page.getByTestId('org-row')).toHaveCount(1);

  // the organization's page, opened from the list with the keyboard
  await row.getByRole('link', { name }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/admin/organizations/detail/\\?id=${orgId}$`));
  await expect(page.getByTestId('admin-org-title')).toHaveText(`조직 상세: ${name}`);
  const pool = page.getByTestId('admin-org-pool');
  await expect(pool.getByTestId('usage-title')).toHaveText(`‘${name}’ 조직의 AI 사용량`);
  await expect(pool.getByTestId('usage-card')).toContainText(`/ ${nf(before.pool.totalAvailable)}`);
  await expect(pool.getByTestId('used-tokens')).toContainText(nf(30_000));
  await expect(pool.getByTestId('member-limit-line')).toHaveCount(0);
  // the members, owner first, each with their use against their limit
  const members = page.getByTestId('admin-member-row');
  await expect(members).toHaveCount(2);
  await expect(members.first()).toHaveAttribute('data-role', 'OWNER');
  await expect(page.locator(`[data-testid="admin-member-row"][data-email="${owner.email}"]`).getByTestId('member-usage')).toHaveText('0토큰 사용 · 한도 없음');
  const memberRow = page.locator(`[data-testid="admin-member-row"][data-email="${member.email}"]`);
  await expect(memberRow).toContainText('구성원');
  await expect(memberRow.getByTestId('member-usage')).toHaveText(`0 / ${nf(50_000)}토큰`);
  await expect(memberRow.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '0');
  await expect(memberRow).toContainText('0%');

  // the plan: enterprise, an upgrade, applied now — the pool's month grows at once
  await expect(page.getByTestId('org-plan-current')).toHaveAttribute('data-plan', before.pool.plan.id);
  await page.getByTestId('org-plan-select').selectOption('enterprise');
  await page.getByTestId('org-plan-change').click();
  const result = page.getByTestId('org-plan-result');
  await expect(result).toHaveAttribute('data-change', 'upgrade');
  await expect(result).toContainText('엔터프라이즈 요금제로 바꿨습니다.');
  await expect(page.getByTestId('org-plan-current')).toHaveText('엔터프라이즈');
  const after = (await (await request.get(`/api/admin/organizations/${orgId}`, { headers: auth(admin) })).json()) as { pool: { totalAvailable: number; plan: { id: string } } };
  expect(after.pool.plan.id).toBe('enterprise');
  expect(after.pool.totalAvailable).toBeGreaterThan(before.pool.totalAvailable);
  await expect(pool.getByTestId('usage-card')).toContainText(`/ ${nf(after.pool.totalAvailable)}`);
  await expect(pool.getByTestId('usage-plan')).toHaveText('요금제: 엔터프라이즈');
  await noSidewaysScroll(page, '/admin/organizations/detail/ at 1280 px');
  await shot(page, testInfo, 'admin-org-detail-1280');

  // the stats page: the organizations section, fresh figures (the stats are cached)
  await page.goto('/admin/');
  await page.getByTestId('clear-cache').click();
  await expect(page.getByText('캐시를 비웠습니다')).toBeVisible();
  const section = page.getByTestId('org-stats');
  await expect(section.getByRole('heading', { level: 2, name: '조직', exact: true })).toBeVisible();
  await expect(section.getByTestId('org-plans-chart')).toBeVisible();
  await expect(section.locator('[data-testid="org-plan-row"][data-plan="enterprise"]')).toContainText('엔터프라이즈');
  const top = section.locator(`[data-testid="org-top-table"] [data-testid="org-row"][data-id="${orgId}"]`);
  await expect(top).toContainText(name);
  await expect(top.getByTestId('org-row-plan')).toHaveText('엔터프라이즈');
  await noSidewaysScroll(page, '/admin/ at 1280 px');
  await shot(page, testInfo, 'admin-stats-orgs-1280');
  await top.getByRole('link', { name }).click();
  await expect(page.getByTestId('admin-org-title')).toHaveText(`조직 상세: ${name}`);

  // phones: cards instead of tables, nothing wider than the screen
  await page.setViewportSize({ width: 360, height: 800 });
  await expect(page.getByTestId('admin-member-table')).toBeHidden();
  await expect(page.locator(`[data-testid="admin-member"][data-email="${member.email}"]`).getByTestId('member-usage')).toHaveText(`0 / ${nf(50_000)}토큰`);
  await noSidewaysScroll(page, '/admin/organizations/detail/ at 360 px');
  await shot(page, testInfo, 'admin-org-detail-360');
  await page.goto('/admin/organizations/');
  await expect(page.getByTestId('orgs-table')).toBeHidden();
  await expect(page.locator(`[data-testid="org-card"][data-id="${orgId}"]`)).toContainText(name);
  await noSidewaysScroll(page, '/admin/organizations/ at 360 px');
  await shot(page, testInfo, 'admin-orgs-360');
  await page.goto('/admin/');
  await expect(page.getByTestId('org-stats').locator(`[data-testid="org-card"][data-id="${orgId}"]`)).toBeVisible();
  await noSidewaysScroll(page, '/admin/ at 360 px');
  await shot(page, testInfo, 'admin-stats-orgs-360');

  // English, on a phone
  await page.goto(`/admin/organizations/detail/?id=${orgId}`);
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('admin-org-title')).toHaveText(`Organization: ${name}`);
  await expect(page.getByTestId('org-plan-current')).toHaveText('Enterprise');
  await noSidewaysScroll(page, '/admin/organizations/detail/ in English at 360 px');
});

test('an organization that is not there, and one that is not an admin’s to see', async ({ page, request }) => {
  const admin = await login(request, ADMIN.email, ADMIN.password);
  await openAs(page, admin, '/admin/organizations/detail/?id=00000000-0000-4000-8000-000000000000');
  await expect(page.getByTestId('admin-org-not-found')).toContainText('조직을 찾을 수 없습니다');
  await page.getByRole('link', { name: '조직 목록' }).click();
  await expect(page).toHaveURL(/\/admin\/organizations\/$/);

  const user = await register(request, 'adm-org-nobody');
  const other = await page.context().browser()!.newContext({ baseURL: test.info().project.use.baseURL, locale: 'ko-KR' });
  const userPage = await other.newPage();
  await openAs(userPage, user, '/admin/organizations/');
  await expect(userPage.getByTestId('forbidden')).toBeVisible();
  await expect(userPage.getByTestId('nav-adminorganizations')).toHaveCount(0);
  await other.close();
});
