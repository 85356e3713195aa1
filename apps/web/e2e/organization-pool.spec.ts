// An organization's tokens (its pool) and its members' monthly limits in the web app: an owner
// sets a member's limit on the organization page; the member, switched to the organization's
// workspace, chats until their limit stops them while the pool still has room (their own account
// still works); once the pool itself is blocked, chat in the organization is refused for the
// organization's reason, also when the page had not noticed yet. The organization page at 360 px
// without sideways scrolling. Users, the organization and its members are made through the API:
// only the pool and the limits are what is tested here. Screenshots: POOL_SHOTS_DIR=/tmp/shots-pool.
import { expect, test, type APIRequestContext, type Browser, type Page, type TestInfo } from '@playwright/test';
import { ADMIN, auth, login, noSidewaysScroll, openAs, organizationWith, register, setUsage, shotsIn, type Account } from './helpers';

const shot = shotsIn(process.env.POOL_SHOTS_DIR, { fullPage: true });
const nf = (n: number) => new Intl.NumberFormat('ko-KR').format(n);


async function newPage(browser: Browser, testInfo: TestInfo): Promise<Page> {
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
  return context.newPage();
}


/** Sends a question in the chat and waits for its answer (its receipt). */
async function ask(page: Page, question: string): Promise<void> {
  const answers = page.getByTestId('assistant-message');
  const before = await answers.count();
  await page.getByTestId('message-input').fill(question);
  await expect(page.getByTestId('send-button')).toBeEnabled();
  await page.getByTestId('send-button').click();
  await expect(answers).toHaveCount(before + 1, { timeout: 30_000 });
  await expect(answers.last().getByTestId('receipt-toggle')).toBeVisible({ timeout: 30_000 });
}

test('an owner sets a member’s limit; the member chats in the organization until the limit stops them, and their own account still works', async ({ page, browser, request }, testInfo) => {
  test.setTimeout(180_000);
  const owner = await register(request, 'pool-owner');
  const member = await register(request, 'pool-member');
  const name = `한빛 상담실 ${Date.now().toString(36)}`;
  const orgId = await organizationWith(request, owner, name, [member]);

  // What one short question costs here, so that the limit leaves room for one answer and no more.
  const question = '요즘 잠을 잘 못 자요.';
  const estimate = await request.post('/api/chat/estimate', { data: { message: question }, headers: auth(member) });
  expect(estimate.status(), await estimate.text()).toBe(200);
  const { promptTokens } = (await estimate.json()) as { promptTokens: number };
  const limit = promptTokens + 40;

  // (a) the owner: the pool card, then the member's row — no limit yet — and its editor
  await openAs(page, owner, `/organizations/detail/?id=${orgId}`);
  await expect(page.getByTestId('usage-title')).toHaveText(`‘${name}’ 조직의 AI 사용량`);
  await expect(page.getByTestId('usage-card')).toHaveAttribute('data-level', 'NORMAL');
  await expect(page.getByTestId('usage-card')).toContainText(`/ ${nf(100_000)}`);
  await expect(page.getByTestId('member-limit-line')).toHaveText('내 한도: 없음 · 이번 달 0토큰 사용');
  await expect(page.getByTestId('org-pool').getByTestId('purchase-button')).toHaveCount(0);
  await expect(page.getByTestId('org-pool-managed')).toHaveText('이 조직의 토큰은 소유자와 조직 관리자가 관리합니다.');
  const row = page.locator(`[data-testid="member-row"][data-email="${member.email}"]`);
  await expect(row.getByTestId('member-usage')).toHaveText('0토큰 사용 · 한도 없음');
  const input = row.getByLabel(`${member.email}의 월 한도(토큰)`);
  await expect(input).toHaveAttribute('placeholder', '한도 없음');
  // the invalid side: the browser says what it accepts before asking the API
  await input.fill('-5');
  await row.getByRole('button', { name: `${member.email}의 한도 저장` }).click();
  await expect(row.getByTestId('member-limit-error')).toHaveText('0 이상의 정수로 입력해 주세요. 비워 두면 한도가 없습니다.');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await input.fill(String(limit));
  await row.getByRole('button', { name: `${member.email}의 한도 저장` }).click();
  await expect(row.getByTestId('member-limit-saved')).toHaveText(`${member.email}의 한도를 저장했습니다.`);
  await expect(row.getByTestId('member-limit-error')).toHaveCount(0);
  await expect(row.getByTestId('member-usage')).toHaveText(`0 / ${nf(limit)}토큰`);
  const stored = await request.get(`/api/organizations/${orgId}`, { headers: auth(owner) });
  expect(((await stored.json()) as { members: { userId: string; monthlyLimitTokens: number | null }[] }).members.find((m) => m.userId === member.user.id)?.monthlyLimitTokens).toBe(limit);
  await shot(page, testInfo, 'pool-owner-limit-1280');
  await page.setViewportSize({ width: 360, height: 800 });
  await expect(page.locator(`[data-testid="member-card"][data-email="${member.email}"]`).getByTestId('member-usage')).toHaveText(`0 / ${nf(limit)}토큰`);
  await noSidewaysScroll(page, '/organizations/detail/ (owner, pool and limits) at 360 px');
  await shot(page, testInfo, 'pool-owner-limit-360');

  // (b) the member: their own account first; the switcher offers the organization
  const memberPage = await newPage(browser, testInfo);
  await openAs(memberPage, member, '/dashboard/');
  const select = memberPage.getByLabel('작업 공간');
  await expect(select).toHaveValue('');
  await expect(memberPage.getByTestId('usage-card')).toHaveAttribute('data-workspace', 'personal');
  await select.selectOption(orgId);
  await expect(memberPage.getByTestId('usage-title')).toHaveText(`‘${name}’ 조직의 AI 사용량`);
  await expect(memberPage.getByTestId('usage-card')).toHaveAttribute('data-workspace', 'organization');
  await expect(memberPage.getByTestId('member-limit-line')).toHaveText(`내 한도: 0 / ${nf(limit)}토큰 · 남은 토큰 ${nf(limit)}`);
  await expect(memberPage.getByTestId('usage-card').getByTestId('purchase-button')).toHaveCount(0);
  // the member's own view of the organization page: the pool and their limit, no member list
  await memberPage.goto(`/organizations/detail/?id=${orgId}`);
  await expect(memberPage.getByTestId('member-limit-line')).toHaveText(`내 한도: 0 / ${nf(limit)}토큰 · 남은 토큰 ${nf(limit)}`);
  await expect(memberPage.getByTestId('member-table')).toHaveCount(0);

  // the chat follows the workspace: a new conversation in the organization, until the limit is used up
  await memberPage.getByTestId('nav-chat').click();
  await expect(memberPage.getByLabel('작업 공간')).toHaveValue(orgId);
  await expect(memberPage.getByTestId('chat-usage')).toContainText(`‘${name}’ 조직의 AI 사용량`);
  await ask(memberPage, question);
  const blocked = memberPage.getByTestId('chat-blocked');
  await expect(blocked).toHaveAttribute('data-reason', 'MEMBER');
  await expect(blocked).toContainText('내 한도를 모두 사용했습니다');
  await expect(blocked).toContainText(`‘${name}’ 조직에서 쓸 수 있는 내 한도(${nf(limit)}토큰)를 모두 사용했습니다.`);
  await expect(memberPage.getByTestId('message-input')).toHaveCount(0);
  // the pool itself still has room
  const poolNow = await request.get(`/api/organizations/${orgId}/usage`, { headers: auth(member) });
  const { pool, member: mine } = (await poolNow.json()) as { pool: { chatAllowed: boolean; level: string }; member: { usedTokens: number; remainingTokens: number } };
  expect(pool).toMatchObject({ chatAllowed: true, level: 'NORMAL' });
  expect(mine).toMatchObject({ usedTokens: limit, remainingTokens: 0 });
  await expect(memberPage.getByTestId('chat-usage')).toHaveAttribute('data-level', 'NORMAL');
  const orgConversation = memberPage.getByTestId('conversation-item');
  await expect(orgConversation).toHaveCount(1);
  const orgConversationId = await orgConversation.getAttribute('data-conversation-id');
  // the server says so too, in the member's terms
  const refused = await request.post('/api/chat/send', { data: { message: '하나 더 물어볼게요.', organizationId: orgId }, headers: { ...auth(member), 'accept-language': 'ko' } });
  expect(refused.status()).toBe(402);
  expect(await refused.json()).toMatchObject({ code: 'MEMBER_LIMIT_REACHED', limit: 'MEMBER' });
  await shot(memberPage, testInfo, 'pool-member-limit-chat-1280');

  // their own account still works: a new conversation there, and the organization's is not listed
  await blocked.getByRole('button', { name: '내 계정으로 상담하기' }).click();
  await expect(memberPage.getByLabel('작업 공간')).toHaveValue('');
  await expect(memberPage.getByTestId('chat-blocked')).toHaveCount(0);
  await expect(memberPage.getByTestId('conversation-item')).toHaveCount(0);
  await ask(memberPage, '오늘 기분이 조금 나아졌어요.');
  await expect(memberPage.getByTestId('conversation-item')).toHaveCount(1);
  await expect(memberPage.getByTestId('conversation-item')).not.toHaveAttribute('data-conversation-id', orgConversationId!);
  // and back: the organization's conversations again, still refused
  await memberPage.getByLabel('작업 공간').selectOption(orgId);
  await expect(memberPage.getByTestId('conversation-item')).toHaveAttribute('data-conversation-id', orgConversationId!);
  await expect(memberPage.getByTestId('chat-blocked')).toHaveAttribute('data-reason', 'MEMBER');
  await memberPage.setViewportSize({ width: 360, height: 800 });
  await noSidewaysScroll(memberPage, '/chat/ in an organization at 360 px');
  await memberPage.context().close();

  // the owner sees the member's use against the limit
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.reload();
  await expect(row.getByTestId('member-usage')).toHaveText(`${nf(limit)} / ${nf(limit)}토큰`);
});

test('a blocked pool refuses chat in the organization for the organization’s reason, while members still have room', async ({ page, request }, testInfo) => {
  test.setTimeout(120_000);
  const admin = await login(request, ADMIN.email, ADMIN.password);
  const owner = await register(request, 'pool-owner');
  const member = await register(request, 'pool-member');
  const name = `새봄 센터 ${Date.now().toString(36)}`;
  const orgId = await organizationWith(request, owner, name, [member]);

  // the pool blocked at 105 %: the member, in the organization's workspace, is refused for the organization's reason, with nothing to buy
  await setUsage(request, admin, orgId, 105);
  await page.addInitScript(([userId, id]) => window.localStorage.setItem(`consulton.workspace.${userId}`, id!), [member.user.id, orgId]);
  await openAs(page, member, '/chat/');
  await expect(page.getByLabel('작업 공간')).toHaveValue(orgId);
  const blocked = page.getByTestId('chat-blocked');
  await expect(blocked).toHaveAttribute('data-reason', 'ORGANIZATION');
  await expect(blocked).toContainText('AI 상담이 차단되었습니다');
  await expect(blocked).toContainText(`‘${name}’ 조직의 이번 달 토큰을 초과 사용 한도(105%)까지 모두 사용했습니다.`);
  await expect(blocked.getByRole('link', { name: '토큰 구매하러 가기' })).toHaveCount(0);
  await expect(page.getByTestId('message-input')).toHaveCount(0);
  await expect(page.getByTestId('usage-banner')).toHaveAttribute('data-level', 'BLOCKED');
  await expect(page.getByTestId('usage-banner')).toContainText('조직의 토큰을 모두 사용하여 이 조직의 AI 상담이 차단되었습니다.');
  await expect(page.getByTestId('usage-banner').getByTestId('purchase-button')).toHaveCount(0);
  await shot(page, testInfo, 'pool-blocked-chat-1280');

  // the member's own limit was never the reason: they have none, and have used nothing
  const usage = await request.get(`/api/organizations/${orgId}/usage`, { headers: auth(member) });
  expect(((await usage.json()) as { member: { monthlyLimitTokens: number | null; usedTokens: number } }).member).toMatchObject({ monthlyLimitTokens: null, usedTokens: 0 });
  const refused = await request.post('/api/chat/send', { data: { message: '다시 한번요.', organizationId: orgId }, headers: { ...auth(member), 'accept-language': 'ko' } });
  expect(refused.status()).toBe(402);
  expect(await refused.json()).toMatchObject({ code: 'TOKEN_EXHAUSTED', limit: 'ORGANIZATION', recommendedAction: 'ASK_ORGANIZATION_ADMIN' });

  // the dashboard says it the same way; the member's own account is untouched
  await page.goto('/dashboard/');
  await expect(page.getByTestId('usage-card')).toHaveAttribute('data-level', 'BLOCKED');
  await expect(page.getByTestId('blocked-message')).toHaveAttribute('data-reason', 'ORGANIZATION');
  await page.getByLabel('작업 공간').selectOption('');
  await expect(page.getByTestId('usage-card')).toHaveAttribute('data-workspace', 'personal');
  await expect(page.getByTestId('usage-card')).toHaveAttribute('data-level', 'NORMAL');
});

test('an owner buys bulk tokens for the pool; a plain member is not offered them', async ({ browser, request }, testInfo) => {
  const owner = await register(request, 'bulk-owner');
  const member = await register(request, 'bulk-member');
  const id = await organizationWith(request, owner, '대량 구매 상담센터', [member]);
  const page = await newPage(browser, testInfo);
  await page.setViewportSize({ width: 360, height: 800 });
  await openAs(page, owner, `/organizations/detail/?id=${id}`);
  const section = page.getByTestId('org-purchase');
  await expect(section.getByTestId('org-package-org-tokens-1m')).toContainText('75,000원');
  await noSidewaysScroll(page, 'the organization page with its purchase section at 360 px');
  await section.getByRole('button', { name: '조직용 100만 토큰 구매' }).click();
  await page.getByTestId('confirm-purchase').click();
  await expect(page.getByTestId('org-purchase-done')).toHaveText(`조직에 ${nf(1_000_000)}토큰이 추가되었습니다.`);
  const usage = await (await request.get(`/api/organizations/${id}/usage`, { headers: auth(owner) })).json();
  expect(usage.pool.purchasedTokens).toBe(1_000_000);
  await expect(page.getByTestId('org-pool')).toContainText(nf(1_100_000));
  // The organization's purchases, listed for its managers (the receipt is the buyer's, on their purchases page).
  await expect(page.getByTestId('org-orders').getByTestId('order-card')).toHaveCount(1);
  await expect(page.getByTestId('org-orders')).toContainText('조직용 100만 토큰');
  await noSidewaysScroll(page, 'the organization page with its purchases at 360 px');
  await shot(page, testInfo, 'org-bulk-purchase-360');

  const memberPage = await newPage(browser, testInfo);
  await openAs(memberPage, member, `/organizations/detail/?id=${id}`);
  await expect(memberPage.getByTestId('org-pool')).toBeVisible();
  await expect(memberPage.getByTestId('org-purchase')).toHaveCount(0);
});

test('the history follows the workspace: one’s own turns in the organization there, one’s own account’s otherwise', async ({ browser, request }, testInfo) => {
  const owner = await register(request, 'history-owner');
  const member = await register(request, 'history-member');
  const name = '내역 상담센터';
  const orgId = await organizationWith(request, owner, name, [member]);
  const send = (body: Record<string, unknown>, who: Account) => request.post('/api/chat/send', { data: body, headers: auth(who) });
  expect((await send({ message: '조직에서 묻는 질문', organizationId: orgId }, member)).status()).toBe(200);
  expect((await send({ message: '다른 구성원의 질문', organizationId: orgId }, owner)).status()).toBe(200);
  const page = await newPage(browser, testInfo);
  await page.addInitScript(([userId, id]) => window.localStorage.setItem(`consulton.workspace.${userId}`, id!), [member.user.id, orgId]);
  await openAs(page, member, '/history/');
  await expect(page.getByTestId('history-workspace')).toContainText(`‘${name}’ 조직에서 내가 쓴 토큰입니다`);
  // One turn of one's own in the pool: its charge (the holds stay hidden), not the owner's, not the pool's grant.
  const rows = page.getByTestId('ledger-table').locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(page.getByTestId('ledger-table').getByTestId('ledger-conversation-link')).toHaveCount(1);
  await noSidewaysScroll(page, 'the history in an organization');
  await shot(page, testInfo, 'history-in-organization');
  await page.getByLabel('작업 공간').selectOption('');
  await expect(page.getByTestId('history-workspace')).toHaveCount(0);
  // One's own account: no turn yet, its monthly grant only.
  await expect(page.getByTestId('ledger-table').locator('tr[data-kind="MONTHLY_GRANT"]')).toHaveCount(1);
  await expect(page.getByTestId('ledger-table').getByTestId('ledger-conversation-link')).toHaveCount(0);
  await page.setViewportSize({ width: 360, height: 800 });
  await noSidewaysScroll(page, 'the history at 360 px');
});
