// Settings (설정): a user changes their password. The browser checks the form first, the API
// refuses a wrong current password, and on success this tab keeps its session while another
// session ends at once; the new password signs in. At 360 and 1280 px without sideways scrolling.
// Screenshots: SETTINGS_SHOTS_DIR=/tmp/shots-settings.
import { expect, test } from '@playwright/test';
import { noSidewaysScroll, openAs, register, shotsIn } from './helpers';

const shot = shotsIn(process.env.SETTINGS_SHOTS_DIR, { fullPage: true });

test('a user changes their password: other sessions end, this one stays', async ({ page, request }, testInfo) => {
  const user = await register(request, 'settings');
  const other = (await (await request.post('/api/auth/login', { data: { email: user.email, password: user.password } })).json()).accessToken as string;
  const me = (token: string) => request.get('/api/auth/me', { headers: { authorization: `Bearer ${token}` } });

  await openAs(page, user, '/dashboard/');
  await page.getByTestId('nav-settings').click();
  await expect(page).toHaveURL(/\/settings\/$/);
  await expect(page).toHaveTitle('설정 — Consult-On');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('설정');

  const error = page.getByTestId('password-error');
  await page.getByTestId('password-submit').click();
  await expect(error).toHaveText('지금 비밀번호를 입력해 주세요.');
  await expect(page.getByTestId('password-current')).toBeFocused();
  await page.getByTestId('password-current').fill('not-my-password');
  await page.getByTestId('password-next').fill('short');
  await page.getByTestId('password-submit').click();
  await expect(error).toHaveText('새 비밀번호는 8자 이상으로 입력해 주세요.');
  await page.getByTestId('password-next').fill('Silent-harbor-7315');
  await page.getByTestId('password-confirm').fill('Silent-harbor-7316');
  await page.getByTestId('password-submit').click();
  await expect(error).toHaveText('새 비밀번호와 확인이 서로 다릅니다.');
  await page.getByTestId('password-confirm').fill('Silent-harbor-7315');
  await page.getByTestId('password-submit').click();
  await expect(error).toHaveText('지금 쓰는 비밀번호가 올바르지 않습니다.');
  await expect(page).toHaveURL(/\/settings\/$/);
  expect((await me(other)).status()).toBe(200);
  await shot(page, testInfo, 'settings-error-1280');
  await noSidewaysScroll(page, '/settings/ at 1280 px');

  await page.getByTestId('password-current').fill(user.password);
  await page.getByTestId('password-submit').click();
  await expect(page.getByTestId('password-changed')).toHaveText('비밀번호를 바꿨습니다. 다른 기기에서는 새 비밀번호로 다시 로그인해 주세요.');
  await expect(page.getByTestId('password-current')).toHaveValue('');
  expect((await me(other)).status()).toBe(401);
  // This tab kept its session: a reload stays signed in.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('설정');
  expect((await request.post('/api/auth/login', { data: { email: user.email, password: user.password } })).status()).toBe(401);
  expect((await request.post('/api/auth/login', { data: { email: user.email, password: 'Silent-harbor-7315' } })).status()).toBe(200);

  await page.setViewportSize({ width: 360, height: 800 });
  await noSidewaysScroll(page, '/settings/ at 360 px');
  await shot(page, testInfo, 'settings-360');
});
