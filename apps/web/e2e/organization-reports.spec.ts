// Reports on an organization's tokens in the web app: an owner picks a member in the members table
// and sees that member's daily use in the chart, reads the organization's usage history, and
// downloads it as a CSV file (with the byte order mark Excel needs and the header row); a member
// sees only their own daily use. The organization page at 1280 and 360 px without sideways
// scrolling. Users, the organization and the member's turn are made through the API.
// Screenshots: REPORTS_SHOTS_DIR=/tmp/shots-reports.
import { readFile } from 'node:fs/promises';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { auth, noSidewaysScroll, openAs, organizationWith, register, shotsIn, type Account } from './helpers';

const shot = shotsIn(process.env.REPORTS_SHOTS_DIR, { fullPage: true });

const HEADER = 'id,createdAt,createdAtLocal,kind,period,memberEmail,amountTokens,freeDelta,purchasedDelta,overageDelta,heldDelta,reason';



test('an owner sees a member’s daily use and the usage history, and downloads it as CSV; a member sees their own use', async ({ page, browser, request }, testInfo) => {
  test.setTimeout(120_000);
  const owner = await register(request, 'reports-owner');
  const member = await register(request, 'reports-member');
  const name = `온길 상담센터 ${Date.now().toString(36)}`;
  const orgId = await organizationWith(request, owner, name, [member]);
  const turn = await request.post('/api/chat/send', { data: { message: '조직 토큰으로 상담합니다', organizationId: orgId }, headers: auth(member) });
  expect(turn.status(), await turn.text()).toBe(200);
  const charged = ((await turn.json()) as { usage: { chargedTokens: number } }).usage.chargedTokens;

  // The owner's own use first (nothing yet), then the member's, picked in the members table.
  await page.setViewportSize({ width: 1280, height: 900 });
  await openAs(page, owner, `/organizations/detail/?id=${orgId}`);
  const usage = page.getByTestId('member-daily');
  await expect(usage).toHaveAttribute('data-member', owner.user.id);
  await expect(page.getByTestId('member-daily-none')).toBeVisible();
  const row = page.getByTestId('member-row').filter({ hasText: member.email });
  await row.getByTestId('member-daily-show').click();
  await expect(row.getByTestId('member-daily-show')).toHaveAttribute('aria-pressed', 'true');
  await expect(usage).toHaveAttribute('data-member', member.user.id);
  await expect(usage).toHaveAttribute('data-total', String(charged));
  await expect(page.getByTestId('daily-member')).toHaveValue(member.user.id);
  await expect(usage.getByTestId('daily-chart')).toBeVisible();
  await expect(usage.getByTestId('daily-chart')).toHaveAttribute('aria-label', new RegExp(`^${member.email.replace(/[.+]/g, '\\$&')}의 일별 사용량`));
  await page.getByTestId('daily-days').selectOption('7');
  await expect(usage).toHaveAttribute('data-total', String(charged));

  // The usage history: the member's charge is listed; the CSV of the last 30 days is saved under the organization's name.
  const ledger = page.getByTestId('org-ledger');
  await expect(ledger.getByTestId('ledger-table').locator('tr[data-kind="CONSUMPTION"]')).toHaveCount(1);
  // Whose turn it was: the member's address on the charge.
  await expect(ledger.getByTestId('ledger-table').locator('tr[data-kind="CONSUMPTION"]').getByTestId('ledger-member')).toHaveText(`구성원: ${member.user.email}`);
  await expect(ledger.getByTestId('ledger-table').locator('tr[data-kind="HOLD"]')).toHaveCount(0);
  await page.getByTestId('org-ledger-holds').check();
  await expect(ledger.getByTestId('ledger-table').locator('tr[data-kind="HOLD"]')).toHaveCount(1);
  const from = await page.getByTestId('ledger-from').inputValue();
  const to = await page.getByTestId('ledger-to').inputValue();
  const downloading = page.waitForEvent('download');
  await page.getByTestId('ledger-csv').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`${name} 사용 내역 ${from}~${to}.csv`);
  const bytes = await readFile((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString('utf8').split('\r\n');
  expect(lines[0]).toBe(HEADER);
  expect(lines.filter((line) => line.includes(`"${member.email}"`) && line.includes('"CONSUMPTION"'))).toHaveLength(1);
  await expect(page.getByTestId('ledger-download-status')).toContainText('파일을 내려받았습니다.');

  // A range the API would refuse is caught first.
  await page.getByTestId('ledger-from').fill('2020-01-01');
  await expect(page.getByTestId('ledger-range-error')).toBeVisible();
  await expect(page.getByTestId('ledger-csv')).toBeDisabled();
  await shot(page, testInfo, 'reports-owner-1280');
  await noSidewaysScroll(page, 'the organization page at 1280 px');

  await page.setViewportSize({ width: 360, height: 800 });
  const card = page.getByTestId('member-card').filter({ hasText: owner.email });
  await card.getByTestId('member-daily-show').click();
  await expect(usage).toHaveAttribute('data-member', owner.user.id);
  await expect(page.getByTestId('ledger-cards')).toBeVisible();
  await shot(page, testInfo, 'reports-owner-360');
  await noSidewaysScroll(page, 'the organization page at 360 px');

  // The member: their own daily use, no member list and no usage history.
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, locale: 'ko-KR', timezoneId: 'Asia/Seoul', viewport: { width: 360, height: 800 } });
  const memberPage = await context.newPage();
  await openAs(memberPage, member, `/organizations/detail/?id=${orgId}`);
  await expect(memberPage.getByTestId('member-daily')).toHaveAttribute('data-member', member.user.id);
  await expect(memberPage.getByTestId('member-daily')).toHaveAttribute('data-total', String(charged));
  await expect(memberPage.getByTestId('daily-member')).toHaveCount(0);
  await expect(memberPage.getByTestId('org-ledger')).toHaveCount(0);
  await noSidewaysScroll(memberPage, 'the organization page of a member at 360 px');
  await context.close();
});
