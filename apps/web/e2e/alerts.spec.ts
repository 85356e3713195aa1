import { expect, test } from '@playwright/test';
import { ADMIN, login, openAs, register, setUsage, snap, type Account } from './helpers';
import { ko } from '../messages/ko';

// Issue 14, item 7: one alert, not five.
let admin: Account;

test.beforeAll(async ({ request }) => {
  admin = await login(request, ADMIN.email, ADMIN.password);
});

test('at 92 % the dashboard says the warning once, with one buy link', async ({ page, request }, testInfo) => {
  const user = await register(request, 'one-alert');
  await setUsage(request, admin, user.user.id, 92);
  await openAs(page, user, '/dashboard/');
  await expect(page.getByTestId('usage-banner')).toHaveAttribute('data-level', 'WARNING');
  await expect(page.getByTestId('usage-card')).toHaveAttribute('data-level', 'WARNING');
  await expect(page.getByText(ko.warningBanner)).toHaveCount(1);
  const buy = page.getByRole('link', { name: ko.buyTokens });
  await expect(buy).toHaveCount(1);
  await expect(buy).toHaveClass(/btn-primary/);
  await expect(page.getByTestId('usage-banner').getByRole('link', { name: ko.buyTokens })).toBeVisible();
  await expect(page.getByTestId('toast')).toHaveCount(0);
  await snap(page, testInfo, 'alerts-dashboard-92');
});

test('in the chat, two turns at WARNING show one inline notice', async ({ page, request }) => {
  const user = await register(request, 'one-notice');
  await setUsage(request, admin, user.user.id, 92);
  await openAs(page, user, '/chat/');
  await expect(page.getByTestId('usage-banner')).toHaveAttribute('data-level', 'WARNING');
  const input = page.getByTestId('message-input');
  for (const [i, text] of ['요금이 걱정돼요', '조금 더 여쭤볼게요'].entries()) {
    await input.fill(text);
    await expect(page.getByTestId('send-button')).toBeEnabled({ timeout: 30_000 });
    await input.press('Enter');
    await expect(page.getByTestId('assistant-message').nth(i).getByTestId('receipt-toggle')).toBeVisible({ timeout: 30_000 });
  }
  await expect(page.getByTestId('inline-warning')).toHaveCount(1);
  await expect(page.getByTestId('assistant-message').first().getByTestId('inline-warning')).toBeVisible();
});

test('at 360 px a toast is at the top, clear of the composer', async ({ page, request }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const user = await register(request, 'toast-phone');
  await setUsage(request, admin, user.user.id, 92);
  const connected = page.waitForResponse((response) => response.url().includes('/api/notifications/stream'));
  await openAs(page, user, '/chat/');
  await expect(page.getByTestId('composer')).toBeVisible();
  await connected;
  // A recovery is not on the page yet, so it is toasted (a WARNING here would only be the banner).
  await setUsage(request, admin, user.user.id, 10);
  const toast = page.getByTestId('toast').first();
  await expect(toast).toBeVisible({ timeout: 15_000 });
  await snap(page, testInfo, 'alerts-toast-360');
  const overlaps = (a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }) =>
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  const toastBox = (await toast.boundingBox())!;
  const composerBox = (await page.getByTestId('composer').boundingBox())!;
  expect(toastBox).not.toBeNull();
  expect(overlaps(toastBox, composerBox)).toBe(false);
  expect(toastBox.y).toBeLessThan(composerBox.y);
});
