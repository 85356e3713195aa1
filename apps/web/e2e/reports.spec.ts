// Usage-pattern reports (사용 패턴 리포트) in the browser: a person's month with its findings,
// tokens by day, the weekday-hour heatmap, the models and the downloads; the admins' cohort
// report. At 1280 and 360 px without sideways scrolling. Screenshots: REPORTS_SHOTS_DIR=/tmp/shots-reports.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { ADMIN, auth, login, noSidewaysScroll, openAs, organizationWith, register, shotsIn } from './helpers';

const shot = shotsIn(process.env.REPORTS_SHOTS_DIR, { fullPage: true });

test("a person reads this month's usage pattern and downloads it", async ({ page, request }, testInfo) => {
  const user = await register(request, 'reports');
  for (const message of ['이번 주 일정을 정리해 주세요', '회의록을 요약해 주세요']) {
    expect((await request.post('/api/chat/send', { data: { message }, headers: auth(user) })).status()).toBe(200);
  }
  await openAs(page, user, '/dashboard/');
  await page.getByTestId('nav-reports').click();
  await expect(page).toHaveURL(/\/reports\/$/);
  await expect(page).toHaveTitle('사용 패턴 리포트 — Consult-On');
  const report = page.getByTestId('usage-report');
  await expect(report.getByTestId('report-tokens')).not.toContainText(/^0$/);
  await expect(page.getByTestId('report-findings')).toContainText('사용량의 100%가 몰립니다.');
  await expect(page.getByTestId('report-heatmap').locator('td[title*="토큰"]').first()).toBeAttached();
  await expect(page.getByTestId('report-models')).toContainText('consult-basic');
  await noSidewaysScroll(page, '/reports/ at 1280 px');
  await shot(page, testInfo, 'reports-1280');

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-csv').click()]);
  expect(csv.suggestedFilename()).toMatch(/^consult-on-usage-\d{4}-\d{2}\.csv$/);
  expect(readFileSync((await csv.path())!, 'utf8')).toContain('"summary","turns",2');
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-json').click()]);
  expect(JSON.parse(readFileSync((await json.path())!, 'utf8')).usage.turns).toBe(2);

  // The month before: nothing yet.
  const months = page.getByTestId('report-month');
  await months.selectOption({ index: 1 });
  await expect(page.getByTestId('report-findings')).toHaveText('이 달에는 AI 상담을 이용하지 않았습니다.');

  await months.selectOption({ index: 0 });
  await page.setViewportSize({ width: 360, height: 800 });
  await expect(report.getByTestId('report-tokens')).toBeVisible();
  await noSidewaysScroll(page, '/reports/ at 360 px');
  await shot(page, testInfo, 'reports-360');
});

test('an admin reads the cohort report of a month', async ({ page, request }, testInfo) => {
  const admin = await login(request, ADMIN.email, ADMIN.password);
  const user = await register(request, 'cohort');
  expect((await request.post('/api/chat/send', { data: { message: '안녕하세요' }, headers: auth(user) })).status()).toBe(200);
  await openAs(page, admin, '/admin/reports/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('코호트 리포트');
  await expect(page.getByTestId('cohort-report')).toBeVisible();
  await page.getByTestId('report-month').selectOption({ index: 0 });
  await expect(page.getByTestId('cohort-active')).not.toContainText(/^0$/);
  await expect(page.getByTestId('cohort-report')).toContainText('free');
  await noSidewaysScroll(page, '/admin/reports/ at 1280 px');
  await shot(page, testInfo, 'cohort-1280');
  await page.setViewportSize({ width: 360, height: 800 });
  await noSidewaysScroll(page, '/admin/reports/ at 360 px');
  await shot(page, testInfo, 'cohort-360');
});

test("an organization's owner reads a member's month in the pool", async ({ page, request }, testInfo) => {
  const owner = await register(request, 'report-owner');
  const member = await register(request, 'report-member');
  const organizationId = await organizationWith(request, owner, '리포트 조직', [member]);
  const turn = await request.post('/api/chat/send', { data: { message: '조직 토큰으로 묻습니다', organizationId }, headers: auth(member) });
  expect(turn.status(), await turn.text()).toBe(200);
  await openAs(page, owner, `/organizations/detail/?id=${organizationId}`);
  await page.getByTestId('member-row').filter({ hasText: member.email }).getByTestId('member-report-link').click();
  await expect(page).toHaveURL(/\/organizations\/member-report\//);
  await expect(page).toHaveTitle('구성원 사용 패턴 리포트 — Consult-On');
  await expect(page.getByText(`${member.email}님이 ‘리포트 조직’ 조직의 토큰으로 한 대화입니다.`)).toBeVisible();
  await expect(page.getByTestId('usage-report')).toBeVisible();
  await expect(page.getByTestId('report-models')).toContainText('consult-basic');
  await page.setViewportSize({ width: 360, height: 800 });
  await noSidewaysScroll(page, '/organizations/member-report/ at 360 px');
  await shot(page, testInfo, 'member-report-360');
});
