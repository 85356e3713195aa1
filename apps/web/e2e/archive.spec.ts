// The conversation archive in the browser: an archived conversation stays in the list (marked),
// opens read-only with its messages, and "continue" brings it back so the next question goes in.
// Against the mail app of playwright.config.ts, whose archive takes every conversation when run
// (ARCHIVE_AFTER_DAYS=0). At 1280 and 360 px. Screenshots: ARCHIVE_SHOTS_DIR=/tmp/shots-archive.
import { expect, test } from '@playwright/test';
import { startMailCatcher, type MailCatcher } from '../../api/testing/mail-catcher';
import { ADMIN, noSidewaysScroll, shotsIn, uniqueEmail } from './helpers';

const shot = shotsIn(process.env.ARCHIVE_SHOTS_DIR, { fullPage: false });
const mailApp = `http://127.0.0.1:${process.env.E2E_MAIL_PORT}`;

// The app mails a verification link at sign-up: something receives it.
let mail: MailCatcher;
test.beforeAll(async () => {
  mail = await startMailCatcher(Number(process.env.E2E_SMTP_PORT));
});
test.afterAll(async () => {
  await mail?.close();
});

test('an archived conversation opens read-only and continues after its restore', async ({ page, request }, testInfo) => {
  const email = uniqueEmail('archive');
  const registered = await request.post(`${mailApp}/api/auth/register`, { data: { email, password: 'Quiet-river-4821' } });
  expect(registered.status(), await registered.text()).toBe(201);
  const token = (await registered.json()).accessToken as string;
  const authorization = { authorization: `Bearer ${token}` };
  const turn = await request.post(`${mailApp}/api/chat/send`, { data: { message: '보관될 대화입니다' }, headers: authorization });
  expect(turn.status(), await turn.text()).toBe(200);
  const conversationId = (await turn.json()).conversationId as string;

  const admin = await request.post(`${mailApp}/api/auth/login`, { data: ADMIN });
  const run = await request.post(`${mailApp}/api/admin/jobs/conversation-archive/run`, { headers: { authorization: `Bearer ${(await admin.json()).accessToken}` } });
  expect(run.status(), await run.text()).toBe(200);

  await page.goto(`${mailApp}/login/`);
  await page.evaluate((value) => window.localStorage.setItem('consulton.token', value), token);
  await page.goto(`${mailApp}/chat/?c=${conversationId}`);
  await expect(page.getByTestId('archived-notice')).toContainText('오래 쓰지 않아 보관된 대화입니다.');
  await expect(page.getByText('보관될 대화입니다').first()).toBeVisible();
  await expect(page.getByTestId('message-input')).toHaveCount(0);
  // Read-only: no regenerate or edit-and-resend on its messages either.
  await expect(page.getByRole('button', { name: '다시 생성' })).toHaveCount(0);
  await expect(page.getByTestId('conversation-item').filter({ hasText: '보관될 대화' }).getByTestId('conversation-archived')).toHaveText('보관됨');
  await shot(page, testInfo, 'archived-1280');

  await page.getByTestId('archived-continue').click();
  await expect(page.getByTestId('archived-notice')).toHaveCount(0);
  await page.getByTestId('message-input').fill('이어서 묻습니다');
  await page.getByTestId('send-button').click();
  await expect(page.getByText('이어서 묻습니다').first()).toBeVisible();
  await expect(page.getByTestId('assistant-message')).toHaveCount(2, { timeout: 30_000 });
  await expect(page.getByTestId('conversation-item').filter({ hasText: '보관될 대화' }).getByTestId('conversation-archived')).toHaveCount(0);

  await page.setViewportSize({ width: 360, height: 800 });
  await noSidewaysScroll(page, '/chat/ at 360 px after the restore');
});
