// The account's life in the browser: a forgotten password reset by a link that a real local SMTP
// server (smtp-server) catches, the address's verification by its mailed link, the export of
// everything kept, the deletion of the account, and an admin's lock. The mail specs run against the
// second app of playwright.config.ts (SMTP_URL set). At 360 and 1280 px.
// Screenshots: ACCOUNT_SHOTS_DIR=/tmp/shots-account.
import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { startMailCatcher, type MailCatcher } from '../../api/testing/mail-catcher';
import { ADMIN, auth, login, noSidewaysScroll, openAs, register, shotsIn, uniqueEmail } from './helpers';

const shot = shotsIn(process.env.ACCOUNT_SHOTS_DIR, { fullPage: true });
const mailApp = `http://127.0.0.1:${process.env.E2E_MAIL_PORT}`;
const smtpPort = Number(process.env.E2E_SMTP_PORT);

test.describe('with mail', () => {
  let mail: MailCatcher;
  test.beforeAll(async () => {
    mail = await startMailCatcher(smtpPort);
  });
  test.afterAll(async () => {
    await mail?.close();
  });

  async function registerWithMail(request: APIRequestContext) {
    const email = uniqueEmail('mail');
    const password = 'Quiet-river-4821';
    const response = await request.post(`${mailApp}/api/auth/register`, { data: { email, password } });
    expect(response.status(), await response.text()).toBe(201);
    return { email, password, token: (await response.json()).accessToken as string };
  }

  test('a new account verifies its address with the mailed link', async ({ page, request }, testInfo) => {
    const user = await registerWithMail(request);
    await page.goto(`${mailApp}/login/`);
    await page.addInitScript((token) => window.localStorage.setItem('consulton.token', token), user.token);
    await page.goto(`${mailApp}/dashboard/`);
    await expect(page.getByTestId('verify-notice')).toContainText('이메일 인증을 마치지 않았습니다');
    await shot(page, testInfo, 'verify-banner-1280');

    const link = mail.linkIn(await mail.next(user.email));
    expect(link.startsWith(`${mailApp}/verify-email/#token=`)).toBe(true);
    await page.goto(link);
    await expect(page.getByTestId('verify-done')).toHaveText('이메일 주소를 인증했습니다. 이제 모든 기능을 이용할 수 있습니다.');
    await page.getByRole('link', { name: '대시보드로 가기' }).click();
    await expect(page).toHaveURL(/\/dashboard\/$/);
    await expect(page.getByTestId('verify-notice')).toHaveCount(0);
    // A link opened twice says so.
    await page.goto(link);
    await expect(page.getByTestId('verify-error')).toHaveText('링크가 만료되었거나 이미 사용되었습니다. 새 링크를 받아 주세요.');
  });

  test('a forgotten password is reset with the mailed link, end to end', async ({ page, request }, testInfo) => {
    const user = await registerWithMail(request);
    await mail.next(user.email); // the verification mail

    await page.goto(`${mailApp}/login/`);
    await page.getByTestId('forgot-password-link').click();
    await expect(page).toHaveURL(/\/forgot-password\/$/);
    await expect(page).toHaveTitle('비밀번호 재설정 — Consult-On');
    await page.getByTestId('forgot-submit').click();
    await expect(page.getByTestId('forgot-error')).toHaveText('이메일 주소를 입력해 주세요.');
    await expect(page.getByTestId('forgot-email')).toBeFocused();
    await page.getByTestId('forgot-email').fill(user.email);
    await page.getByTestId('forgot-submit').click();
    await expect(page.getByTestId('forgot-sent')).toContainText(`${user.email} 주소로 가입된 계정이 있다면`);
    await shot(page, testInfo, 'forgot-sent-1280');

    const message = await mail.next(user.email);
    expect(message.subject).toBe('[Consult-On] 비밀번호 재설정 안내');
    const link = mail.linkIn(message);
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(link);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('새 비밀번호 정하기');
    await page.getByTestId('reset-next').fill('Silent-harbor-7315');
    await page.getByTestId('reset-confirm').fill('Silent-harbor-7316');
    await page.getByTestId('reset-submit').click();
    await expect(page.getByTestId('reset-error')).toHaveText('새 비밀번호와 확인이 서로 다릅니다.');
    await expect(page.getByTestId('reset-confirm')).toBeFocused();
    await noSidewaysScroll(page, '/reset-password/ at 360 px');
    await shot(page, testInfo, 'reset-error-360');
    await page.getByTestId('reset-confirm').fill('Silent-harbor-7315');
    await page.getByTestId('reset-submit').click();
    await expect(page).toHaveURL(/\/dashboard\/$/);

    expect((await request.post(`${mailApp}/api/auth/login`, { data: { email: user.email, password: user.password } })).status()).toBe(401);
    expect((await request.post(`${mailApp}/api/auth/login`, { data: { email: user.email, password: 'Silent-harbor-7315' } })).status()).toBe(200);
    expect((await request.get(`${mailApp}/api/auth/me`, { headers: { authorization: `Bearer ${user.token}` } })).status()).toBe(401);

    // The link works once: opened again, it says so and offers a new one.
    await page.evaluate(() => window.localStorage.clear());
    await page.goto(link);
    await page.getByTestId('reset-next').fill('Another-harbor-9931');
    await page.getByTestId('reset-confirm').fill('Another-harbor-9931');
    await page.getByTestId('reset-submit').click();
    await expect(page.getByTestId('reset-error')).toHaveText('링크가 만료되었거나 이미 사용되었습니다. 새 링크를 받아 주세요.');
    await expect(page.getByTestId('reset-other')).toHaveText('새 링크 받기');
  });
});

test('the settings export everything kept as JSON and the token history as CSV', async ({ page, request }, testInfo) => {
  const user = await register(request, 'export');
  const turn = await request.post('/api/chat/send', { data: { message: '내보내기 전에 한 번 물어봅니다' }, headers: auth(user) });
  expect(turn.status()).toBe(200);
  await openAs(page, user, '/settings/');
  await expect(page.getByRole('heading', { name: '내 데이터 내려받기' })).toBeVisible();

  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  expect(json.suggestedFilename()).toMatch(/^consult-on-export-\d{4}-\d{2}-\d{2}\.json$/);
  const data = JSON.parse(readFileSync((await json.path())!, 'utf8'));
  expect(data.profile.email).toBe(user.email);
  expect(data.conversations[0].messages[0].content).toBe('내보내기 전에 한 번 물어봅니다');
  await expect(page.getByTestId('export-done')).toHaveText('내려받기를 시작했습니다.');

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  expect(csv.suggestedFilename()).toMatch(/^consult-on-ledger-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = readFileSync((await csv.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
  expect(lines[0]).toContain('id,createdAt,createdAtLocal,kind');
  expect(lines.some((line) => line.includes(',"CONSUMPTION",')), lines.join('\n')).toBe(true);

  await noSidewaysScroll(page, '/settings/ at 1280 px');
  await shot(page, testInfo, 'settings-1280');
  await page.setViewportSize({ width: 360, height: 800 });
  await noSidewaysScroll(page, '/settings/ at 360 px');
  await shot(page, testInfo, 'settings-360');
});

test('the language chosen in the settings is the app’s and the account’s', async ({ page, request }) => {
  const user = await register(request, 'language');
  await openAs(page, user, '/settings/');
  await page.getByTestId('language-en').check();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');
  await expect(page.getByText('Language changed.')).toBeVisible();
  const me = await (await request.get('/api/auth/me', { headers: auth(user) })).json();
  expect(me.locale).toBe('en');
});

test('a user deletes their account with their password', async ({ page, request }, testInfo) => {
  const user = await register(request, 'delete');
  await openAs(page, user, '/settings/');
  await page.getByTestId('delete-open').click();
  const dialog = page.getByTestId('delete-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('delete-dialog-confirm').click();
  await expect(dialog.getByRole('alert')).toHaveText('비밀번호를 입력해 주세요.');
  await expect(page.getByTestId('delete-password')).toBeFocused();
  await page.getByTestId('delete-password').fill('not-my-password');
  await dialog.getByTestId('delete-dialog-confirm').click();
  await expect(dialog).toContainText('지금 쓰는 비밀번호가 올바르지 않습니다.');
  await shot(page, testInfo, 'delete-dialog-error-1280');
  await page.getByTestId('delete-password').fill(user.password);
  await page.getByTestId('delete-password').press('Enter');
  await expect(page).toHaveURL(/\/login\/\?deleted=1$/);
  await expect(page.getByTestId('account-deleted')).toHaveText('계정을 삭제했습니다. 그동안 이용해 주셔서 감사합니다.');
  expect((await request.post('/api/auth/login', { data: { email: user.email, password: user.password } })).status()).toBe(401);
});

test('an admin locks an account and unlocks it', async ({ page, request }, testInfo) => {
  const admin = await login(request, ADMIN.email, ADMIN.password);
  const user = await register(request, 'locked');
  await openAs(page, admin, `/admin/user/?id=${user.user.id}`);
  await page.getByTestId('lock-toggle').click();
  const dialog = page.getByTestId('lock-dialog');
  await expect(dialog).toContainText(`${user.email} 계정은 바로 로그아웃되고`);
  await dialog.getByTestId('lock-dialog-confirm').click();
  await expect(page.getByTestId('account-state')).toHaveText('잠긴 계정');
  const refused = await request.post('/api/auth/login', { data: { email: user.email, password: user.password } });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).message).toBe('관리자가 잠근 계정입니다. 고객센터로 문의해 주세요.');
  expect((await request.get('/api/auth/me', { headers: auth(user) })).status()).toBe(401);
  await page.setViewportSize({ width: 360, height: 800 });
  await noSidewaysScroll(page, '/admin/user/ at 360 px, locked');
  await shot(page, testInfo, 'admin-locked-360');

  await page.getByTestId('lock-toggle').click();
  await page.getByTestId('lock-dialog').getByTestId('lock-dialog-confirm').click();
  await expect(page.getByTestId('account-state')).toHaveCount(0);
  expect((await request.post('/api/auth/login', { data: { email: user.email, password: user.password } })).status()).toBe(200);
});
