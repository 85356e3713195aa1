// Real purchases in the browser: each provider's fake (from the API's compiled test tools) and a
// second API configured for it are started here; the default web server stays on the instant provider.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { ADMIN, cspViolations, openAs, type Account } from './helpers';
import { getAs, horizontalOverflow, loginAt, registerAt, shot, startStripeStack, startTossStack, type StripeStack, type TossStack } from './payment-servers';

interface Usage {
  remainingTokens: number;
  purchasedTokens: number;
}

const FREE_TOKENS = 100_000;

/** Opens the confirm dialog of a product on /purchase/ and confirms it. */
async function buy(page: Page, testId: string): Promise<void> {
  await page.getByTestId(testId).getByRole('button').click();
  const confirm = page.getByTestId('confirm-purchase');
  await expect(confirm).toBeVisible();
  await confirm.click();
}

/** A URL predicate: the provider's page at `path`. */
function at(origin: string, path: string): (url: URL) => boolean {
  return (url) => url.href.startsWith(`${origin}${path}`);
}

/** How often the API asked Toss to confirm the payment of the order on the result page. */
function confirmations(stack: TossStack, page: Page): number {
  const orderId = new URL(page.url()).searchParams.get('order');
  return stack.fake.requests.filter((call) => call.path === '/v1/payments/confirm' && (call.body as { orderId?: string } | undefined)?.orderId === orderId).length;
}

/** A package bought over the API and paid on the fake's hosted page (the signed webhook settles it). */
async function paidStripeOrder(request: APIRequestContext, stack: StripeStack, buyer: Account): Promise<{ id: string }> {
  const base = stack.api.url;
  const opened = await request.post(`${base}/api/ai-usage/purchase`, {
    data: { packageId: 'tokens-50k' },
    headers: { authorization: `Bearer ${buyer.token}`, 'idempotency-key': `e2e-${buyer.user.id}` },
  });
  expect(opened.status(), await opened.text()).toBe(200);
  const { order, checkout } = (await opened.json()) as { order: { id: string }; checkout: { url: string } };
  await stack.fake.pay(new URL(checkout.url).pathname.split('/')[3]!);
  await expect.poll(async () => (await getAs<{ status: string }>(request, base, buyer, `/api/payments/orders/${order.id}`)).status).toBe('PAID');
  return order;
}

/** At 360 px wide the page must not scroll sideways. */
async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  expect(await horizontalOverflow(page), `${what} overflows at 360 px`).toBeLessThanOrEqual(0);
}

test.describe('Stripe Checkout', () => {
  let stack: StripeStack;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    stack = await startStripeStack();
  });

  test.afterAll(async () => {
    await stack?.stop();
  });

  test('pay on the hosted page → result, purchases, receipt (and all of them at 360 px)', async ({ page, request }, testInfo) => {
    const violations = cspViolations(page);
    const base = stack.api.url;
    const user = await registerAt(request, base, 'stripe-buyer');
    await openAs(page, user, `${base}/purchase/`);
    await expect(page.getByTestId('package-tokens-50k')).toContainText('5,000원');
    await expect(page.getByTestId('monthly-products')).toContainText('월간 상품');
    await shot(page, testInfo, 'stripe-purchase-1280');
    await buy(page, 'package-tokens-50k');

    await page.waitForURL(at(stack.fake.url, '/c/pay/'));
    await expect(page.locator('.amount')).toHaveAttribute('data-amount', '5000');
    await page.getByRole('button', { name: 'Pay' }).click();

    await page.waitForURL(/\/purchase\/result\/\?order=[0-9a-f-]+&sessionId=cs_/);
    const result = page.getByTestId('payment-result');
    await expect(result).toHaveAttribute('data-state', 'paid');
    await expect(result.getByRole('heading')).toHaveText('결제 완료');
    await expect(result).toContainText('50,000토큰이 추가되었습니다');
    await expect(page.getByTestId('result-balance')).toContainText('150,000');
    await expect(result.getByRole('link', { name: '상담 이어가기' })).toHaveAttribute('href', '/chat/');
    await expect(result.getByRole('link', { name: '구매 내역', exact: true })).toHaveAttribute('href', '/purchases/');
    await shot(page, testInfo, 'stripe-result-paid-1280');
    const usage = await getAs<Usage>(request, base, user, '/api/ai-usage');
    expect(usage.purchasedTokens).toBe(50_000);
    expect(usage.remainingTokens).toBe(FREE_TOKENS + 50_000);

    await page.setViewportSize({ width: 360, height: 780 });
    await expectNoSidewaysScroll(page, 'the result page');
    await shot(page, testInfo, 'stripe-result-paid-360');
    await page.setViewportSize({ width: 1280, height: 900 });

    await result.getByRole('link', { name: '구매 내역', exact: true }).click();
    await expect(page).toHaveURL(/\/purchases\/$/);
    const row = page.getByTestId('order-row');
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId('order-status')).toHaveText('결제 완료');
    await expect(row).toContainText('Stripe');
    await expect(row).toContainText('5,000원');
    await expect(row).toContainText('50,000');
    await shot(page, testInfo, 'stripe-purchases-1280');
    await page.setViewportSize({ width: 360, height: 780 });
    await expect(page.getByTestId('order-card')).toBeVisible();
    await expect(page.getByTestId('orders-table')).toBeHidden();
    await expect(page.getByTestId('order-card').getByTestId('order-status')).toHaveText('결제 완료');
    await expectNoSidewaysScroll(page, '/purchases/');
    await shot(page, testInfo, 'stripe-purchases-360');

    await page.getByTestId('order-card').getByTestId('receipt-link').click();
    await expect(page).toHaveURL(/\/purchases\/receipt\/\?id=/);
    const receipt = page.getByTestId('receipt');
    await expect(receipt.getByRole('heading', { name: '영수증' })).toBeVisible();
    await expect(page.getByTestId('receipt-order-number')).toContainText(/CO-[0-9A-F]{8}/);
    await expect(page.getByTestId('receipt-supply')).toHaveText(/공급가액\s*4,545원/);
    await expect(page.getByTestId('receipt-vat')).toHaveText(/부가세\(10%\)\s*455원/);
    await expect(page.getByTestId('receipt-total')).toHaveText(/합계\s*5,000원/);
    await expect(receipt).toContainText('카드 · Stripe');
    await expect(receipt).toContainText('라이트 5만 토큰');
    await expectNoSidewaysScroll(page, 'the receipt');
    await shot(page, testInfo, 'stripe-receipt-360');
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot(page, testInfo, 'stripe-receipt-1280');

    // 인쇄 prints the page; printed, the navigation and the buttons are gone.
    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => void ((window as unknown as { printed: number }).printed += 1);
    });
    await page.getByTestId('print-receipt').click();
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    await page.emulateMedia({ media: 'print' });
    await expect(page.getByRole('banner')).toBeHidden();
    await expect(page.getByTestId('print-receipt')).toBeHidden();
    await expect(page.getByTestId('receipt-total')).toBeVisible();
    await shot(page, testInfo, 'stripe-receipt-print');
    await page.emulateMedia({ media: 'screen' });

    await page.setViewportSize({ width: 360, height: 780 });
    await page.goto(`${base}/purchase/`);
    await expect(page.getByTestId('package-tokens-50k')).toBeVisible();
    await expectNoSidewaysScroll(page, '/purchase/');
    await shot(page, testInfo, 'stripe-purchase-360');
    expect(violations).toEqual([]);
  });

  test('cancel on the hosted page: the result says so and nothing is charged', async ({ page, request }, testInfo) => {
    const base = stack.api.url;
    const user = await registerAt(request, base, 'stripe-cancel');
    await openAs(page, user, `${base}/purchase/`);
    await buy(page, 'package-tokens-200k');
    await page.waitForURL(at(stack.fake.url, '/c/pay/'));
    const sessionId = new URL(page.url()).pathname.split('/')[3]!;
    await page.getByRole('button', { name: 'Cancel' }).click();

    await page.waitForURL(/\/purchase\/result\/\?order=[0-9a-f-]+&failed=1$/);
    const result = page.getByTestId('payment-result');
    await expect(result).toHaveAttribute('data-state', 'canceled');
    await expect(result.getByRole('heading')).toHaveText('결제 취소');
    await expect(result).toContainText('결제를 취소했습니다. 요금이 청구되지 않았습니다.');
    await expect(result.getByRole('link', { name: '다시 시도' })).toHaveAttribute('href', '/purchase/');
    await shot(page, testInfo, 'stripe-result-canceled-1280');
    await page.setViewportSize({ width: 360, height: 780 });
    await expectNoSidewaysScroll(page, 'the cancelled result');
    await shot(page, testInfo, 'stripe-result-canceled-360');

    expect(stack.fake.session(sessionId)).toMatchObject({ status: 'open', payment_status: 'unpaid' });
    expect((await getAs<Usage>(request, base, user, '/api/ai-usage')).purchasedTokens).toBe(0);
    // The order ends failed with the reason (the reconciler still asks Stripe about it for a day).
    const [order] = await getAs<{ status: string; failure: { code: string } | null }[]>(request, base, user, '/api/payments/orders');
    expect(order).toMatchObject({ status: 'FAILED', failure: { code: 'USER_CANCELED' } });
  });

  test('an admin refunds part of an order, then the rest, from the user page', async ({ page, request }, testInfo) => {
    const base = stack.api.url;
    const buyer = await registerAt(request, base, 'stripe-refund');
    const order = await paidStripeOrder(request, stack, buyer);

    const admin: Account = await loginAt(request, base, ADMIN.email, ADMIN.password);
    await openAs(page, admin, `${base}/admin/user/?id=${buyer.user.id}`);
    const row = page.locator(`[data-testid="admin-order"][data-order="${order.id}"]`);
    await expect(row.getByTestId('order-status')).toHaveText('결제 완료');
    await row.getByRole('button', { name: /환불/ }).click();
    const dialog = page.getByTestId('refund-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('refund-submit')).toBeDisabled();
    await dialog.getByLabel('환불할 토큰 수').fill('10000');
    await expect(dialog.getByTestId('refund-estimate')).toHaveText('예상 환불 금액: 1,000원');
    await dialog.getByLabel('사유').fill('상담 품질 불만으로 일부 환불');
    await shot(page, testInfo, 'admin-refund-dialog-1280');
    await dialog.getByTestId('refund-submit').click();
    await expect(dialog.getByTestId('refund-result')).toHaveAttribute('data-status', 'SUCCEEDED');
    await expect(dialog.getByTestId('refund-result')).toHaveText('환불 완료: 1,000원(10,000토큰)');
    await dialog.getByRole('button', { name: '닫기' }).click();
    await expect(row.getByTestId('order-status')).toHaveText('부분 환불');
    await expect(page.getByTestId('purchased-tokens')).toHaveText('40,000');

    await row.getByRole('button', { name: /환불/ }).click();
    await dialog.getByLabel('사유').fill('고객 요청 전액 환불');
    await dialog.getByTestId('refund-submit').click();
    await expect(dialog.getByTestId('refund-result')).toHaveText('환불 완료: 4,000원(40,000토큰)');
    await dialog.getByRole('button', { name: '닫기' }).click();
    await expect(row.getByTestId('order-status')).toHaveText('환불됨');
    await expect(row.getByRole('button', { name: /환불/ })).toHaveCount(0);
    await expect(page.getByTestId('purchased-tokens')).toHaveText('0');
    await expect(page.getByTestId('ledger-table').locator('tr[data-kind="REFUND"]').first()).toBeVisible();
    await shot(page, testInfo, 'admin-orders-1280');
    expect(stack.fake.refunds().map((refund) => refund.amount)).toEqual([1_000, 4_000]);

    // Refunding again is refused with the API's message.
    const again = await request.post(`${base}/api/admin/orders/${order.id}/refunds`, {
      data: { reason: '중복 환불 시도' },
      headers: { authorization: `Bearer ${admin.token}`, 'idempotency-key': `e2e-again-${Date.now()}` },
    });
    expect(again.status()).toBe(409);

    // The buyer sees the refunds on the receipt.
    const buyerPage = await page.context().newPage();
    await openAs(buyerPage, buyer, `${base}/purchases/receipt/?id=${order.id}`);
    await expect(buyerPage.getByTestId('receipt-refunds')).toContainText('환불 완료');
    await expect(buyerPage.getByTestId('receipt-refunds')).toContainText('1,000원');
    await expect(buyerPage.getByTestId('receipt-refunds')).toContainText('4,000원');
    await shot(buyerPage, testInfo, 'receipt-refunded-1280');
  });

  test('a refund Stripe does not answer stays pending, and the admin is told it will be retried', async ({ page, request }, testInfo) => {
    const base = stack.api.url;
    const buyer = await registerAt(request, base, 'stripe-refund-pending');
    const order = await paidStripeOrder(request, stack, buyer);
    const admin = await loginAt(request, base, ADMIN.email, ADMIN.password);
    await openAs(page, admin, `${base}/admin/user/?id=${buyer.user.id}`);
    const row = page.locator(`[data-testid="admin-order"][data-order="${order.id}"]`);
    await row.getByRole('button', { name: /환불/ }).click();
    const dialog = page.getByTestId('refund-dialog');
    await expect(dialog.getByTestId('refund-estimate')).toHaveText('예상 환불 금액: 5,000원');
    await dialog.getByLabel('사유').fill('결제사 장애 중 환불');
    const before = stack.fake.refunds().length;
    stack.fake.failNext('status500');
    await dialog.getByTestId('refund-submit').click();
    await expect(dialog.getByTestId('refund-result')).toHaveAttribute('data-status', 'PENDING');
    await expect(dialog.getByTestId('refund-result')).toHaveText('결제사 응답 대기(5,000원, 50,000토큰) — 자동으로 다시 시도합니다');
    await page.setViewportSize({ width: 360, height: 780 });
    await shot(page, testInfo, 'admin-refund-pending-360');
    await dialog.getByRole('button', { name: '닫기' }).click();
    // The tokens are taken back at once; the money follows when Stripe answers the reconciler.
    await expect(page.getByTestId('purchased-tokens')).toHaveText('0');
    await expect(row.getByTestId('order-status')).toHaveText('결제 완료');
    await expect(row).toContainText('환불 처리 중');
    await expect(row.getByRole('button', { name: /환불/ })).toHaveCount(0);
    expect(stack.fake.refunds()).toHaveLength(before);
    await expectNoSidewaysScroll(page, 'the admin user page');
    await shot(page, testInfo, 'admin-orders-360');
  });
});

test.describe('Toss Payments', () => {
  let stack: TossStack;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    stack = await startTossStack();
  });

  test.afterAll(async () => {
    await stack?.stop();
  });

  test("pay in Toss's window: the SDK loads under the page's CSP and the payment is confirmed", async ({ page, request }, testInfo) => {
    const violations = cspViolations(page);
    const base = stack.api.url;
    const policy = (await request.get(`${base}/purchase/`)).headers()['content-security-policy'];
    expect(policy).toContain(`script-src 'self' ${stack.fake.url}`);
    const user = await registerAt(request, base, 'toss-buyer');
    await openAs(page, user, `${base}/purchase/`);
    await buy(page, 'package-tokens-50k');

    await page.waitForURL(at(stack.fake.url, '/window?'));
    await expect(page.locator('.amount')).toHaveText('5,000원');
    await expect(page.locator('.order')).toHaveText('라이트 5만 토큰');
    await shot(page, testInfo, 'toss-window');
    await page.getByRole('button', { name: '결제하기' }).click();

    await page.waitForURL(/\/purchase\/result\/\?order=[0-9a-f-]+&.*paymentKey=/);
    const result = page.getByTestId('payment-result');
    await expect(result).toHaveAttribute('data-state', 'paid');
    await expect(result.getByRole('heading')).toHaveText('결제 완료');
    await expect(page.getByTestId('result-balance')).toContainText('150,000');
    await shot(page, testInfo, 'toss-result-paid-1280');
    expect((await getAs<Usage>(request, base, user, '/api/ai-usage')).purchasedTokens).toBe(50_000);
    // Reloading the return page confirms nothing twice.
    await page.reload();
    await expect(result).toHaveAttribute('data-state', 'paid');
    expect(confirmations(stack, page)).toBe(1);
    expect((await getAs<Usage>(request, base, user, '/api/ai-usage')).purchasedTokens).toBe(50_000);

    await page.goto(`${base}/purchases/`);
    await expect(page.getByTestId('order-row').getByTestId('order-status')).toHaveText('결제 완료');
    await expect(page.getByTestId('order-row')).toContainText('토스페이먼츠');
    await page.getByTestId('order-row').getByTestId('receipt-link').click();
    await expect(page.getByTestId('receipt')).toContainText('카드 · 토스페이먼츠');
    await expect(page.getByTestId('receipt-supply')).toContainText('4,545원');
    await expect(page.getByTestId('receipt-vat')).toContainText('455원');
    expect(violations).toEqual([]);
  });

  test('Toss does not answer the first confirmation: the page says it is checking, asks again, then shows it paid', async ({ page, request }, testInfo) => {
    const base = stack.api.url;
    const user = await registerAt(request, base, 'toss-pending');
    await openAs(page, user, `${base}/purchase/`);
    await buy(page, 'package-tokens-50k');
    await page.waitForURL(at(stack.fake.url, '/window?'));
    // The next Toss API call, the confirmation, answers 500: the API leaves the order pending.
    stack.fake.failNext('status500');
    await page.getByRole('button', { name: '결제하기' }).click();
    const result = page.getByTestId('payment-result');
    await expect(result).toHaveAttribute('data-state', 'pending');
    await expect(result.getByRole('heading')).toHaveText('결제 확인 중');
    await expect(result).toContainText('이 페이지가 자동으로 다시 확인합니다');
    await shot(page, testInfo, 'toss-result-pending-1280');
    await page.setViewportSize({ width: 360, height: 780 });
    await expectNoSidewaysScroll(page, 'the pending result');
    await expect(result).toHaveAttribute('data-state', 'paid', { timeout: 15_000 });
    expect(confirmations(stack, page)).toBeGreaterThanOrEqual(2);
    expect((await getAs<Usage>(request, base, user, '/api/ai-usage')).purchasedTokens).toBe(50_000);
  });

  test('a rejected card: the result shows why and offers another try', async ({ page, request }, testInfo) => {
    const base = stack.api.url;
    const user = await registerAt(request, base, 'toss-rejected');
    await openAs(page, user, `${base}/purchase/`);
    await buy(page, 'package-tokens-50k');
    await page.waitForURL(at(stack.fake.url, '/window?'));
    await page.getByRole('button', { name: '카드 거절' }).click();

    await page.waitForURL(/\/purchase\/result\/\?order=[0-9a-f-]+&failed=1&code=REJECT_CARD_PAYMENT/);
    const result = page.getByTestId('payment-result');
    await expect(result).toHaveAttribute('data-state', 'failed');
    await expect(result.getByRole('heading')).toHaveText('결제 실패');
    await expect(page.getByTestId('result-reason')).toHaveText('사유: 한도초과 혹은 잔액부족으로 결제에 실패했습니다.');
    await shot(page, testInfo, 'toss-result-failed-1280');
    await page.setViewportSize({ width: 360, height: 780 });
    await expectNoSidewaysScroll(page, 'the failed result');
    await shot(page, testInfo, 'toss-result-failed-360');
    await result.getByRole('link', { name: '다시 시도' }).click();
    await expect(page).toHaveURL(/\/purchase\/$/);
    expect((await getAs<Usage>(request, base, user, '/api/ai-usage')).purchasedTokens).toBe(0);
  });

  test("closing Toss's window with 결제 취소 reads as cancelled", async ({ page, request }) => {
    const base = stack.api.url;
    const user = await registerAt(request, base, 'toss-cancel');
    await openAs(page, user, `${base}/purchase/`);
    await buy(page, 'package-tokens-50k');
    await page.waitForURL(at(stack.fake.url, '/window?'));
    await page.getByRole('button', { name: '결제 취소' }).click();
    await page.waitForURL(/\/purchase\/result\/\?order=[0-9a-f-]+&failed=1&code=PAY_PROCESS_CANCELED/);
    await expect(page.getByTestId('payment-result')).toHaveAttribute('data-state', 'canceled');
    await expect(page.getByTestId('payment-result')).toContainText('요금이 청구되지 않았습니다');
  });

  test('a monthly product: card registration, first month paid, automatic payment cancelled', async ({ page, request }, testInfo) => {
    const violations = cspViolations(page);
    const base = stack.api.url;
    const user = await registerAt(request, base, 'toss-monthly');
    await openAs(page, user, `${base}/purchase/`);
    await expect(page.getByTestId('product-monthly-test')).toContainText('월 9,900원');
    await page.getByTestId('product-monthly-test').getByRole('button').click();
    await expect(page.getByTestId('confirm-dialog')).toContainText('9,900원이 결제되고');
    await expect(page.getByTestId('confirm-purchase')).toHaveText('신청하고 결제');
    await shot(page, testInfo, 'toss-subscribe-dialog-1280');
    await page.getByTestId('confirm-purchase').click();

    await page.waitForURL((url) => at(stack.fake.url, '/window?')(url) && url.searchParams.get('flow') === 'billing');
    await page.getByRole('button', { name: '결제하기' }).click();
    await page.waitForURL(/\/purchase\/result\/\?order=[0-9a-f-]+&.*authKey=/);
    await expect(page.getByTestId('payment-result')).toHaveAttribute('data-state', 'paid');
    await expect(page.getByTestId('result-balance')).toContainText('400,000');

    await page.goto(`${base}/purchases/`);
    const subscription = page.getByTestId('subscription');
    await expect(subscription).toHaveAttribute('data-status', 'ACTIVE');
    await expect(subscription).toContainText('월간 30만 토큰');
    await expect(subscription).toContainText('이용 중');
    await shot(page, testInfo, 'toss-purchases-subscription-1280');
    await subscription.getByRole('button', { name: '자동 결제 해지' }).click();
    await subscription.getByRole('button', { name: '해지하기' }).click();
    await expect(subscription).toHaveAttribute('data-status', 'CANCELED');
    await expect(subscription).toContainText('해지됨');
    await expect(subscription.getByRole('button', { name: '자동 결제 해지' })).toHaveCount(0);
    await page.setViewportSize({ width: 360, height: 780 });
    await expectNoSidewaysScroll(page, '/purchases/ with a subscription');
    await shot(page, testInfo, 'toss-purchases-subscription-360');
    expect(violations).toEqual([]);
  });
});
