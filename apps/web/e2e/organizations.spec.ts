// Organizations (조직) in the web app: an owner creates one on /organizations/ (the name checked in
// the browser first), makes an invitation link, and a second user — logged out when they open it —
// logs in, comes back to the link and accepts it; the owner sees them in the members table, makes
// them an organization admin, then removes them. A used, a revoked and a malformed link say so, an
// owner already in it is told, a new visitor signs up from the link and leaves again, and the last
// owner cannot leave. Every page at 360 and 1280 px without sideways scrolling.
// Screenshots: ORGS_SHOTS_DIR=/tmp/shots-orgs.
import { expect, test, type Browser, type Page, type TestInfo } from '@playwright/test';
import { noSidewaysScroll, openAs, register, shotsIn, uniqueEmail } from './helpers';

const shotsDir = process.env.ORGS_SHOTS_DIR;

const shot = shotsIn(shotsDir, { fullPage: true });


async function newPage(browser: Browser, testInfo: TestInfo): Promise<Page> {
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
  return context.newPage();
}

/** Makes an invitation link on the organization page the owner has open; returns its full address. */
async function makeLink(page: Page, role: 'MEMBER' | 'ADMIN' = 'MEMBER'): Promise<string> {
  const before = (await page.getByTestId('invite-url').count()) ? await page.getByTestId('invite-url').inputValue() : '';
  await page.getByTestId('invite-role').selectOption(role);
  await page.getByTestId('invite-submit').click();
  const field = page.getByTestId('invite-url');
  await expect(field).not.toHaveValue(before);
  return field.inputValue();
}

test('an owner creates an organization, invites a member, makes them an admin and removes them', async ({ page, browser, request }, testInfo) => {
  test.setTimeout(150_000);
  const owner = await register(request, 'org-owner');
  const second = await register(request, 'org-member');
  const origin = new URL(testInfo.project.use.baseURL!).origin;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });

  // the list, reached from the navigation: empty, with the create form
  await openAs(page, owner, '/dashboard/');
  await page.getByTestId('nav-organizations').click();
  await expect(page).toHaveURL(/\/organizations\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('조직');
  await expect(page.getByTestId('nav-organizations')).toHaveAttribute('aria-current', 'page');
  await expect(page).toHaveTitle('조직 — Consult-On');
  await expect(page.getByTestId('org-none')).toBeVisible();

  // the browser checks the name first: not blank, at most 60 characters
  await page.getByTestId('org-create-submit').click();
  await expect(page.getByTestId('org-create-error')).toHaveText('조직 이름을 입력해 주세요.');
  await expect(page.getByTestId('org-create-input')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('org-create-input')).toBeFocused();
  await page.getByTestId('org-create-input').fill('   ');
  await page.getByTestId('org-create-submit').click();
  await expect(page.getByTestId('org-create-error')).toHaveText('조직 이름을 입력해 주세요.');
  await page.getByTestId('org-create-input').fill('가'.repeat(61));
  await page.getByTestId('org-create-submit').click();
  await expect(page.getByTestId('org-create-error')).toHaveText('조직 이름은 60자 이하로 입력해 주세요.');
  await shot(page, testInfo, 'orgs-list-errors-1280');
  await noSidewaysScroll(page, '/organizations/ at 1280 px');

  // created: the owner lands on its page, alone in the members table
  const name = `온길   상담센터 ${Date.now().toString(36)}`;
  const stored = name.replace(/\s+/g, ' ');
  await page.getByTestId('org-create-input').fill(name);
  await page.getByTestId('org-create-submit').click();
  await expect(page).toHaveURL(/\/organizations\/detail\/\?id=[0-9a-f-]{36}$/);
  const orgPath = new URL(page.url()).pathname + new URL(page.url()).search;
  await expect(page.getByTestId('org-name')).toHaveText(stored);
  await expect(page.getByTestId('org-my-role')).toHaveAttribute('data-role', 'OWNER');
  await expect(page.getByTestId('org-my-role')).toContainText('내 역할: 소유자');
  const rows = page.getByTestId('member-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(owner.email);
  await expect(rows.first().getByTestId('member-role-select')).toHaveCount(0);
  await expect(rows.first().getByTestId('member-remove')).toHaveCount(0);
  await expect(page.getByTestId('invitations-none')).toBeVisible();

  // rename (owners and admins)
  await page.getByTestId('org-rename-open').click();
  await page.getByTestId('org-rename-input').fill(`${stored} 본부`);
  await page.getByTestId('org-rename-submit').click();
  await expect(page.getByTestId('org-name')).toHaveText(`${stored} 본부`);
  await expect(page.getByTestId('rename-notice')).toHaveText('조직 이름을 바꿨습니다.');
  const orgName = `${stored} 본부`;

  // an invitation link: its full address shown once, with a copy button; an owner may invite admins too
  await expect(page.getByTestId('invite-role').locator('option')).toHaveText(['구성원', '조직 관리자']);
  const link = await makeLink(page, 'MEMBER');
  expect(link).toMatch(new RegExp(`^${origin.replaceAll('.', '\\.')}/organizations/join/\\?token=[A-Za-z0-9_-]{32}$`));
  await expect(page.getByTestId('invite-created')).toContainText('이 링크는 지금 한 번만 표시됩니다.');
  await page.getByTestId('invite-copy').click();
  await expect(page.getByTestId('invite-copy-status')).toHaveText('복사했습니다.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  await expect(page.getByTestId('invitation-row')).toHaveCount(1);
  await expect(page.getByTestId('invitation-row').first()).toContainText('구성원');
  await shot(page, testInfo, 'org-owner-link-1280');
  await noSidewaysScroll(page, '/organizations/detail/ at 1280 px');

  // the second user opens the link logged out: login, and back to the link
  const memberPage = await newPage(browser, testInfo);
  await memberPage.goto(link.slice(origin.length));
  await expect(memberPage).toHaveURL(/\/login\/\?next=%2Forganizations%2Fjoin%2F%3Ftoken%3D/);
  await memberPage.getByLabel('이메일').fill(second.email);
  await memberPage.getByLabel('비밀번호').fill(second.password);
  await memberPage.getByRole('button', { name: '로그인' }).click();
  await expect(memberPage).toHaveURL(/\/organizations\/join\/\?token=/);
  await expect(memberPage.getByTestId('join')).toContainText(second.email);
  await expect(memberPage.getByTestId('join-accept')).toHaveText('초대를 수락');
  await shot(memberPage, testInfo, 'org-join-1280');
  await memberPage.getByTestId('join-accept').click();
  await expect(memberPage.getByTestId('join-done')).toHaveText(`‘${orgName}’ 조직에 참여했습니다. 내 역할: 구성원`);
  await memberPage.getByTestId('join-open').click();
  await expect(memberPage).toHaveURL(new RegExp(`${orgPath.replace(/[?]/g, '\\?')}$`));
  await expect(memberPage.getByTestId('org-my-role')).toHaveAttribute('data-role', 'MEMBER');
  await expect(memberPage.getByTestId('org-member-view')).toBeVisible();
  await expect(memberPage.getByTestId('member-table')).toHaveCount(0);
  await expect(memberPage.getByTestId('org-rename-open')).toHaveCount(0);
  await expect(memberPage.getByTestId('org-leave')).toBeVisible();
  await shot(memberPage, testInfo, 'org-as-member-1280');

  // the owner sees them; the used link is gone from the open links
  await page.reload();
  const memberRow = page.locator(`[data-testid="member-row"][data-email="${second.email}"]`);
  await expect(memberRow).toHaveAttribute('data-role', 'MEMBER');
  await expect(page.getByTestId('invitations-none')).toBeVisible();
  await page.goto('/organizations/');
  await expect(page.locator('[data-testid="org-row"]').filter({ hasText: orgName }).getByTestId('org-members')).toHaveText('2명');
  await page.goto(orgPath);

  // the owner makes them an organization admin
  await memberRow.getByTestId('member-role-select').selectOption('ADMIN');
  await memberRow.getByTestId('member-role-apply').click();
  await expect(memberRow).toHaveAttribute('data-role', 'ADMIN');
  await expect(memberRow.getByTestId('member-role-select')).toHaveValue('ADMIN');

  // as an admin they now see the members, may invite members only, and cannot touch the owner
  await memberPage.reload();
  await expect(memberPage.getByTestId('org-my-role')).toHaveAttribute('data-role', 'ADMIN');
  await expect(memberPage.getByTestId('org-my-role')).toContainText('조직 관리자');
  const ownerRow = memberPage.locator(`[data-testid="member-row"][data-email="${owner.email}"]`);
  await expect(ownerRow).toBeVisible();
  await expect(ownerRow.getByTestId('member-role-select')).toHaveCount(0);
  await expect(ownerRow.getByTestId('member-remove')).toHaveCount(0);
  await expect(memberPage.getByTestId('invite-role').locator('option')).toHaveText(['구성원']);
  await shot(memberPage, testInfo, 'org-as-admin-1280');

  // the owner removes them, after confirming
  await memberRow.getByTestId('member-remove').click();
  const dialog = page.getByTestId('remove-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(second.email);
  await shot(page, testInfo, 'org-remove-dialog-1280');
  await dialog.getByTestId('remove-dialog-confirm').click();
  await expect(dialog).toBeHidden();
  await expect(memberRow).toHaveCount(0);
  await expect(page.getByTestId('members-notice')).toHaveText(`${second.email} 계정을 내보냈습니다.`);
  await memberPage.reload();
  await expect(memberPage.getByTestId('org-not-found')).toBeVisible();

  // a used link says so, plainly
  await memberPage.goto(link.slice(origin.length));
  await memberPage.getByTestId('join-accept').click();
  await expect(memberPage.getByTestId('join-error')).toHaveAttribute('data-code', 'INVITATION_INVALID');
  await expect(memberPage.getByTestId('join-error')).toHaveText('초대 링크가 만료되었거나 이미 사용되었습니다. 조직 관리자에게 새 링크를 요청해 주세요.');
  await expect(memberPage.getByTestId('join-accept')).toHaveCount(0);
  await shot(memberPage, testInfo, 'org-join-used-1280');

  // a revoked link too
  const revoked = await makeLink(page, 'ADMIN');
  await expect(page.getByTestId('invitation-row')).toHaveCount(1);
  await page.getByTestId('invitation-row').first().getByTestId('invitation-revoke').click();
  await expect(page.getByTestId('invitations-none')).toBeVisible();
  await expect(page.getByTestId('invitations-notice')).toContainText('초대 링크를 취소했습니다.');
  await expect(page.getByTestId('invite-created')).toHaveCount(0);
  await memberPage.goto(revoked.slice(origin.length));
  await memberPage.getByTestId('join-accept').click();
  await expect(memberPage.getByTestId('join-error')).toHaveAttribute('data-code', 'INVITATION_INVALID');

  // a malformed link is refused without asking the API
  await memberPage.goto('/organizations/join/?token=abc');
  await expect(memberPage.getByTestId('join-error')).toHaveAttribute('data-code', 'BAD_LINK');
  await expect(memberPage.getByTestId('join-accept')).toHaveCount(0);

  // someone already in it is told so
  const own = await makeLink(page, 'MEMBER');
  await page.goto(own.slice(origin.length));
  await page.getByTestId('join-accept').click();
  await expect(page.getByTestId('join-error')).toHaveAttribute('data-code', 'ALREADY_MEMBER');
  await expect(page.getByTestId('join-error')).toHaveText('이미 이 조직의 구성원입니다.');
  await expect(page.getByTestId('join-list')).toBeVisible();

  // a new visitor signs up from the link, joins with the same link, then leaves
  const visitor = await newPage(browser, testInfo);
  await visitor.goto(own.slice(origin.length));
  await expect(visitor).toHaveURL(/\/login\/\?next=/);
  await visitor.getByRole('link', { name: '계정이 없으신가요? 회원가입' }).click();
  await expect(visitor).toHaveURL(/\/register\/\?next=%2Forganizations%2Fjoin%2F/);
  await visitor.getByLabel('이메일').fill(uniqueEmail('org-visitor'));
  await visitor.getByLabel('비밀번호').fill('Quiet-river-4821');
  await visitor.getByRole('button', { name: '가입하기' }).click();
  await expect(visitor).toHaveURL(/\/organizations\/join\/\?token=/);
  await visitor.getByTestId('join-accept').click();
  await expect(visitor.getByTestId('join-done')).toBeVisible();
  await visitor.getByTestId('join-open').click();
  await visitor.getByTestId('org-leave').click();
  await expect(visitor.getByTestId('leave-dialog')).toBeVisible();
  await visitor.getByTestId('leave-dialog-confirm').click();
  await expect(visitor).toHaveURL(/\/organizations\/$/);
  await expect(visitor.getByTestId('org-none')).toBeVisible();

  // the last owner cannot leave: the API's reason, in the dialog
  await page.goto(orgPath);
  await page.getByTestId('org-leave').click();
  const leave = page.getByTestId('leave-dialog');
  await leave.getByTestId('leave-dialog-confirm').click();
  await expect(leave.getByTestId('leave-dialog-error')).toHaveText('조직에는 소유자가 한 명 이상 있어야 합니다. 다른 구성원을 먼저 소유자로 지정해 주세요.');
  await shot(page, testInfo, 'org-last-owner-1280');
  await page.keyboard.press('Escape');
  await expect(leave).toBeHidden();
  await expect(page.getByTestId('org-leave')).toBeFocused();
  await expect(page.getByTestId('org-name')).toHaveText(orgName);

  // phones: cards instead of tables, nothing scrolls sideways, the navigation shows where we are
  await makeLink(page, 'MEMBER');
  for (const p of [page, memberPage]) await p.setViewportSize({ width: 360, height: 800 });
  await page.goto('/organizations/');
  await expect(page.getByTestId('org-card').first()).toBeVisible();
  await expect(page.getByTestId('org-table')).toBeHidden();
  await expect(page.getByTestId('nav-organizations')).toBeInViewport();
  await noSidewaysScroll(page, '/organizations/ at 360 px');
  await shot(page, testInfo, 'orgs-list-360');
  await page.goto(orgPath);
  await expect(page.getByTestId('member-card').first()).toBeVisible();
  await expect(page.getByTestId('member-table')).toBeHidden();
  await expect(page.getByTestId('invitation-card').first()).toBeVisible();
  await noSidewaysScroll(page, '/organizations/detail/ at 360 px');
  await shot(page, testInfo, 'org-owner-360');
  await makeLink(page, 'ADMIN');
  await expect(page.getByTestId('invite-url')).toBeVisible();
  await noSidewaysScroll(page, '/organizations/detail/ with a new link at 360 px');
  await shot(page, testInfo, 'org-owner-link-360');
  await memberPage.goto(own.slice(origin.length));
  await expect(memberPage.getByTestId('join-accept')).toBeVisible();
  await noSidewaysScroll(memberPage, '/organizations/join/ at 360 px');
  await shot(memberPage, testInfo, 'org-join-360');

  // and in English
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('org-my-role')).toContainText('Your role: Owner');
  await expect(page).toHaveTitle('Organization — Consult-On');
  await noSidewaysScroll(page, '/organizations/detail/ in English at 360 px');
  await shot(page, testInfo, 'org-owner-360-en');
});
