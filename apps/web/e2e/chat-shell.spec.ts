// The chat page around the messages (issue 14, items 1–5 and the model picker): phone widths and
// the drawer, the full-height layout with its own scrolling pane, one usage snapshot at the limit,
// failures said plainly with what was charged, Stop with its charge, and the model picker. The
// failures are made two ways: by answering the turn in the browser (refused, no answer, an answer
// cut off) and, for a server stopped mid-answer and for Stop, with a second, slow API process.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { freePort } from './payment-servers';
import { ADMIN, auth, login, noSidewaysScroll, openAs, register, setUsage, shotsIn, uniqueEmail, type Account } from './helpers';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(web, '..', '..');
/** Screenshots of the chat for people to look at (not committed): CHAT_SHOTS_DIR=/tmp/shots-chat. */
const shotsDir = process.env.CHAT_SHOTS_DIR;

const LONG_WORD = '가'.repeat(40) + 'Supercalifragilisticexpialidocious'.repeat(8);
const LONG_URL = `https://example.com/${'very-long-path-segment-without-any-break-'.repeat(8)}?q=${'x'.repeat(120)}`;

const shot = shotsIn(shotsDir);


/** One finished turn through the JSON endpoint; returns its conversation. */
async function turn(request: APIRequestContext, user: Account, message: string, conversationId?: string, base = ''): Promise<string> {
  const response = await request.post(`${base}/api/chat/send`, { data: { message, ...(conversationId ? { conversationId } : {}) }, headers: auth(user) });
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()).conversationId;
}


/** Whether the element lies inside the window, whole. */
async function inView(page: Page, testId: string): Promise<boolean> {
  return page.getByTestId(testId).evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight + 0.5 && box.right <= window.innerWidth + 0.5;
  });
}

test.describe('chat shell', () => {
  let admin: Account;
  test.beforeAll(async ({ request }) => {
    admin = await login(request, ADMIN.email, ADMIN.password);
  });

  test('phones: no sideways scroll at 360 and 390 px with long words and URLs; the conversation list is a drawer', async ({ page, request }, testInfo) => {
    const user = await register(request, 'phone');
    const first = await turn(request, user, `${LONG_WORD} 상담 부탁드립니다`);
    await turn(request, user, LONG_URL, first);
    await turn(request, user, `링크를 확인해 주세요 ${LONG_URL}`, first);
    const second = await turn(request, user, '두 번째 대화입니다');
    await turn(request, user, `${LONG_WORD}${LONG_WORD}`);
    await page.setViewportSize({ width: 390, height: 844 });
    await openAs(page, user, `/chat/?c=${first}`);
    for (const width of [360, 390]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`/chat/?c=${first}`);
      await expect(page.getByTestId('user-message')).toHaveCount(3);
      await expect(page.getByTestId('assistant-message').last().getByTestId('receipt-toggle')).toBeVisible();
      await noSidewaysScroll(page, `/chat/ at ${width} px`);
      // the list is out of the way, in a drawer; the message box and Send are in view
      await expect(page.getByTestId('conversation-drawer')).toBeHidden();
      expect(await inView(page, 'message-input')).toBe(true);
      expect(await inView(page, 'send-button')).toBe(true);
      await page.getByTestId('message-input').fill(LONG_URL);
      await noSidewaysScroll(page, `/chat/ at ${width} px with a long URL typed`);
      await page.getByTestId('message-input').fill('');
      if (width === 390) await shot(page, testInfo, 'chat-390');
      await page.getByTestId('open-conversations').click();
      const drawer = page.getByTestId('conversation-drawer');
      await expect(drawer).toBeVisible();
      await expect(drawer.getByTestId('conversation-item')).toHaveCount(3);
      await noSidewaysScroll(page, `the drawer at ${width} px`);
      if (width === 390) await shot(page, testInfo, 'chat-390-drawer');
      // Escape closes it and gives the focus back to its button
      await page.keyboard.press('Escape');
      await expect(drawer).toBeHidden();
      await expect(page.getByTestId('open-conversations')).toBeFocused();
      await page.getByTestId('open-conversations').click();
      await drawer.locator(`[data-conversation-id="${second}"] button`).first().click();
      await expect(drawer).toBeHidden();
      await expect(page).toHaveURL(new RegExp(`c=${second}`));
      await expect(page.getByTestId('user-message')).toHaveCount(1);
      await noSidewaysScroll(page, `another conversation at ${width} px`);
    }
    // from md up the list is a column beside the chat
    await page.setViewportSize({ width: 1280, height: 900 });
    await expect(page.getByTestId('conversation-drawer')).toBeVisible();
    await expect(page.getByTestId('open-conversations')).toBeHidden();
  });

  test('layout: only the message pane scrolls, the box stays in view, and a reader who scrolled up gets a pill instead of a jump', async ({ page, request }, testInfo) => {
    const user = await register(request, 'layout');
    let id = await turn(request, user, '긴 대화를 시작합니다');
    for (let i = 1; i < 8; i += 1) id = await turn(request, user, `${i}번째 질문입니다. 조금 더 자세히 알려 주세요.`, id);
    await openAs(page, user, `/chat/?c=${id}`);
    const pane = page.getByTestId('message-pane');
    await expect(page.getByTestId('user-message')).toHaveCount(8);
    const metrics = () =>
      pane.evaluate((element) => ({
        pageScrolls: document.documentElement.scrollHeight > window.innerHeight + 1,
        fromBottom: element.scrollHeight - element.scrollTop - element.clientHeight,
        scrollTop: element.scrollTop,
        paneScrolls: element.scrollHeight > element.clientHeight,
      }));
    await expect.poll(async () => (await metrics()).fromBottom).toBeLessThan(2);
    expect(await metrics()).toMatchObject({ pageScrolls: false, paneScrolls: true });
    expect(await inView(page, 'message-input')).toBe(true);
    await shot(page, testInfo, 'chat-1280');

    // At the bottom, a new turn keeps the pane at its end, and the page never scrolls.
    await page.getByTestId('message-input').fill('마지막으로 정리해 주세요');
    await page.getByTestId('message-input').press('Enter');
    await expect(page.getByTestId('assistant-message').last().getByTestId('receipt-toggle')).toBeVisible({ timeout: 30_000 });
    await expect.poll(async () => (await metrics()).fromBottom).toBeLessThan(2);
    expect((await metrics()).pageScrolls).toBe(false);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);

    // Scrolled up while the answer comes in: the pane stays put and a pill offers the new messages.
    await page.route('**/api/chat/stream', async (route) => {
      const response = await route.fetch();
      const body = await response.body();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.fulfill({ response, body });
    });
    await page.getByTestId('message-input').fill('하나만 더 물어볼게요');
    await page.getByTestId('message-input').press('Enter');
    await expect(page.getByTestId('user-message')).toHaveCount(10);
    await pane.evaluate((element) => element.scrollTo({ top: 0 }));
    await expect(page.getByTestId('new-messages')).toBeVisible({ timeout: 15_000 });
    expect((await metrics()).scrollTop).toBeLessThan(5);
    await page.getByTestId('new-messages').click();
    await expect(page.getByTestId('new-messages')).toBeHidden();
    await expect.poll(async () => (await metrics()).fromBottom).toBeLessThan(2);
    await page.unroute('**/api/chat/stream');
  });

  test('one truth at the limit: the banner and the side panel give the same figure, and Send is disabled with the reason when the preview refuses', async ({ page, request }, testInfo) => {
    const user = await register(request, 'limit');
    await setUsage(request, admin, user.user.id, 104.8);
    const usage = await (await request.get('/api/ai-usage', { headers: auth(user) })).json();
    const untilBlock = Math.floor((usage.totalAvailable * usage.thresholds.block) / 100) - usage.usedTokens;
    expect(untilBlock).toBeGreaterThan(0);
    const figure = untilBlock.toLocaleString('ko-KR');
    await openAs(page, user, '/chat/');
    await expect(page.getByTestId('usage-banner')).toContainText(`${figure}토큰`);
    await expect(page.getByTestId('chat-until-block')).toHaveText(`${figure}토큰`);
    await expect(page.getByTestId('chat-remaining')).toHaveCount(0);

    const input = page.getByTestId('message-input');
    await input.fill('제 상황을 자세히 설명드리겠습니다. '.repeat(40));
    await expect(page.getByTestId('cost-preview')).toHaveAttribute('data-allowed', 'false');
    await expect(page.getByTestId('send-button')).toBeDisabled();
    await expect(page.getByTestId('send-disabled-reason')).toContainText('보낼 수 없습니다');
    await shot(page, testInfo, 'chat-limit-refused');
    await input.press('Enter');
    await expect(page.getByTestId('user-message')).toHaveCount(0);
    await expect(input).not.toHaveValue('');

    // A short question fits what is left before the block: Send comes back.
    await input.fill('네');
    await expect(page.getByTestId('cost-preview')).toHaveAttribute('data-allowed', 'true');
    await expect(page.getByTestId('send-button')).toBeEnabled();
    await expect(page.getByTestId('send-disabled-reason')).toHaveCount(0);
  });

  test('a refused turn keeps its question in the box and marks it "전송 안 됨 · 다시 보내기"; sending again works', async ({ page, request }, testInfo) => {
    const user = await register(request, 'refused');
    await page.route('**/api/chat/stream', (route) =>
      route.fulfill({ status: 402, contentType: 'application/json', body: JSON.stringify({ code: 'TOKEN_EXHAUSTED', message: '토큰이 부족하여 상담을 시작할 수 없습니다.' }) }),
    );
    await openAs(page, user, '/chat/');
    const input = page.getByTestId('message-input');
    await input.fill('이직을 고민하고 있어요');
    await input.press('Enter');
    // on the question's own bubble
    const status = page.getByTestId('user-message').getByTestId('turn-status');
    await expect(status).toHaveAttribute('data-kind', 'unsent');
    await expect(status).toContainText('전송 안 됨 · 다시 보내기');
    await expect(status).toContainText('토큰이 부족하여');
    await expect(status.getByTestId('turn-charge')).toHaveText('요금이 청구되지 않았습니다.');
    await expect(status.getByRole('link', { name: '토큰 추가 구매' })).toHaveAttribute('href', '/purchase/');
    await expect(page.getByTestId('user-message')).toHaveText(/이직을 고민하고 있어요/);
    await expect(page.getByTestId('assistant-message')).toHaveCount(0);
    await expect(input).toHaveValue('이직을 고민하고 있어요');
    await shot(page, testInfo, 'chat-unsent');
    // the question survives a reload
    await page.reload();
    await expect(page.getByTestId('message-input')).toHaveValue('이직을 고민하고 있어요');

    await page.unroute('**/api/chat/stream');
    await page.getByTestId('send-button').click();
    await expect(page.getByTestId('assistant-message').first().getByTestId('receipt-toggle')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('turn-status')).toHaveCount(0);
    await expect(page.getByTestId('message-input')).toHaveValue('');
    await expect(page).toHaveURL(/\/chat\/\?c=/);
  });

  test('no answer at all: a Korean network message, nothing charged, and "다시 보내기" sends it', async ({ page, request }) => {
    const user = await register(request, 'offline');
    await page.route('**/api/chat/stream', (route) => route.abort('internetdisconnected'));
    await openAs(page, user, '/chat/');
    await page.getByTestId('message-input').fill('연결이 끊기면 어떻게 되나요?');
    await page.getByTestId('send-button').click();
    const status = page.getByTestId('turn-status');
    await expect(status).toContainText('서버에 연결할 수 없습니다');
    await expect(status).not.toContainText('Failed to fetch');
    await expect(status.getByTestId('turn-charge')).toHaveText('요금이 청구되지 않았습니다.');
    await expect(page.getByTestId('message-input')).toHaveValue('연결이 끊기면 어떻게 되나요?');
    await page.unroute('**/api/chat/stream');
    await status.getByTestId('resend').click();
    await expect(page.getByTestId('user-message')).toHaveCount(1);
    await expect(page.getByTestId('assistant-message').first().getByTestId('receipt-toggle')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('turn-status')).toHaveCount(0);
    await expect(page.getByTestId('message-input')).toHaveValue('');
  });

  test('an answer cut off mid-stream: labelled, checked with the server ("요금이 청구되지 않았습니다"), the question kept across a reload', async ({ page, request }, testInfo) => {
    const user = await register(request, 'cutoff');
    const id = await turn(request, user, '첫 질문입니다');
    await page.route('**/api/chat/stream', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/event-stream',
        body: `event: start\ndata: ${JSON.stringify({ conversationId: id, model: 'consult-basic', maxCompletionTokens: 1024 })}\n\nevent: delta\ndata: ${JSON.stringify({ text: '말씀해 주셔서 감사합니다. 지금 상황을' })}\n\n`,
      }),
    );
    await openAs(page, user, `/chat/?c=${id}`);
    await expect(page.getByTestId('user-message')).toHaveCount(1);
    await page.getByTestId('message-input').fill('두 번째 질문이 끊기면요?');
    await page.getByTestId('message-input').press('Enter');
    // on the cut-off answer's bubble, with "send again" instead of regenerate
    const status = page.getByTestId('assistant-message').last().getByTestId('turn-status');
    await expect(status).toHaveAttribute('data-kind', 'interrupted');
    await expect(page.getByTestId('assistant-message').last().getByTestId('regenerate-answer')).toHaveCount(0);
    await expect(status).toContainText('답변이 중간에 끊겼습니다 · 다시 보내기');
    await expect(status.getByTestId('turn-charge')).toHaveText('요금이 청구되지 않았습니다.', { timeout: 15_000 });
    await expect(page.getByTestId('assistant-message').last()).toContainText('지금 상황을');
    await expect(page.getByTestId('message-input')).toHaveValue('두 번째 질문이 끊기면요?');
    await shot(page, testInfo, 'chat-interrupted');
    await page.unroute('**/api/chat/stream');
    await page.reload();
    await expect(page.getByTestId('user-message')).toHaveCount(1);
    await expect(page.getByTestId('message-input')).toHaveValue('두 번째 질문이 끊기면요?');
  });

  test('model picker: each model with its relative cost, remembered per conversation', async ({ page, request }) => {
    const user = await register(request, 'models');
    const models = await (await request.get('/api/chat/models', { headers: auth(user) })).json();
    expect(models.map((m: { id: string }) => m.id)).toEqual(['consult-basic', 'consult-pro']);
    await openAs(page, user, '/chat/');
    const picker = page.getByTestId('model-picker');
    await expect(picker).toHaveValue('consult-basic');
    await expect(picker.locator('option')).toHaveText(['기본 · 표준', '고급 · ×4']);
    await picker.selectOption('consult-pro');
    await page.getByTestId('message-input').fill('고급 모델로 상담하고 싶어요');
    await expect(page.getByTestId('cost-preview')).toBeVisible();
    await page.getByTestId('send-button').click();
    await expect(page.getByTestId('assistant-message').first().getByTestId('receipt-toggle')).toBeVisible({ timeout: 30_000 });
    await expect(page).toHaveURL(/\/chat\/\?c=/);
    const proId = new URL(page.url()).searchParams.get('c')!;
    const stored = await (await request.get(`/api/chat/conversations/${proId}`, { headers: auth(user) })).json();
    expect(stored.model).toBe('consult-pro');

    // a new conversation starts on the default; the first one keeps its model
    await page.getByTestId('new-conversation').click();
    await expect(picker).toHaveValue('consult-basic');
    await page.getByTestId('message-input').fill('기본 모델 대화');
    await page.getByTestId('send-button').click();
    await expect(page.getByTestId('assistant-message').first().getByTestId('receipt-toggle')).toBeVisible({ timeout: 30_000 });
    await page.locator(`[data-conversation-id="${proId}"] button`).first().click();
    await expect(picker).toHaveValue('consult-pro');
    // remembered with the conversation on the server too: a browser without the local choice shows it
    await page.evaluate(() => {
      for (const key of Object.keys(window.localStorage)) if (key.startsWith('consulton.model.')) window.localStorage.removeItem(key);
    });
    await page.reload();
    await expect(picker).toHaveValue('consult-pro');
  });
});

/** A second API (slow demo model) that a test may kill and start again on the same database. */
class SlowApi {
  private child: ChildProcess | null = null;
  readonly dataDir = mkdtempSync(path.join(tmpdir(), 'consult-on-e2e-chat-'));
  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const main = path.join(repo, 'apps', 'api', 'dist', 'main.js');
    if (!existsSync(main)) throw new Error('e2e: apps/api/dist/main.js is missing — run `npm run build` first');
    const inherited = { ...process.env };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'REDIS_HOST', 'PUBLIC_URL']) delete inherited[name];
    const lines: string[] = [];
    this.child = spawn(process.execPath, [main], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...inherited,
        NODE_ENV: 'development',
        PORT: String(this.port),
        DATA_DIR: this.dataDir,
        WEB_DIR: path.join(web, 'out'),
        // sessions outlive a restart
        JWT_SECRET: 'e2e-chat-shell-secret-0123456789abcdef',
        DEMO_MODEL_DELAY_MS: '120',
        AUTH_RATE_LIMIT_PER_MINUTE: '1000',
        REGISTER_RATE_LIMIT_PER_HOUR: '1000',
        RATE_LIMIT_PER_MINUTE: '10000',
      },
    });
    const keep = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean).slice(-50));
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`e2e: the slow API exited:\n${lines.slice(-50).join('\n')}`);
      try {
        if ((await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2_000) })).ok) return;
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) throw new Error(`e2e: the slow API did not come up:\n${lines.slice(-50).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Stops the process at once, as a crash or a pulled plug would (nothing is finished or settled). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

async function registerAt(request: APIRequestContext, base: string, prefix: string): Promise<Account> {
  const email = uniqueEmail(prefix);
  const password = 'Quiet-river-4821';
  const response = await request.post(`${base}/api/auth/register`, { data: { email, password } });
  expect(response.status(), await response.text()).toBeLessThan(300);
  const body = await response.json();
  return { token: body.accessToken, user: body.user, email, password };
}

test.describe('chat shell against a slow model', () => {
  test.describe.configure({ timeout: 180_000 });
  let server: SlowApi;
  test.beforeAll(async () => {
    server = new SlowApi(await freePort());
    await server.start();
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test('Stop shows its charge: "중지됨 · N토큰 차감" with the receipt the server keeps', async ({ page, request }, testInfo) => {
    const user = await registerAt(request, server.url, 'stop');
    await openAs(page, user, `${server.url}/chat/`);
    await page.getByTestId('message-input').fill('중지하면 요금은 어떻게 되나요?');
    await page.getByTestId('send-button').click();
    const reply = page.getByTestId('assistant-message').first();
    // the answer's own text (the bubble also holds a hidden "AI 상담사" label)
    await expect(reply.getByTestId('message-content')).toContainText(/[가-힣]{3}/, { timeout: 30_000 });
    await page.getByTestId('stop-button').click();
    const status = reply.getByTestId('turn-status');
    await expect(status).toHaveAttribute('data-kind', 'stopped');
    await expect(status.getByTestId('turn-status-title')).toHaveText(/^중지됨 · [\d,]+토큰 차감$/, { timeout: 15_000 });
    const charged = Number((await status.getByTestId('turn-status-title').innerText()).replace(/[^\d]/g, ''));
    expect(charged).toBeGreaterThan(0);
    await expect(reply.getByTestId('receipt-toggle')).toContainText(charged.toLocaleString('ko-KR'));
    await reply.getByTestId('receipt-toggle').click();
    await expect(reply.getByTestId('receipt')).toContainText('차감 토큰');
    await shot(page, testInfo, 'chat-stopped');
    // the same figure the server keeps, and nothing left in the box: the question was saved
    const id = new URL(page.url()).searchParams.get('c')!;
    const stored = await (await request.get(`${server.url}/api/chat/conversations/${id}`, { headers: auth(user) })).json();
    expect(stored.messages.at(-1).usage.chargedTokens).toBe(charged);
    await expect(page.getByTestId('message-input')).toHaveValue('');
  });

  test('server stopped mid-answer: said plainly, the charge checked once it is back, the question never lost', async ({ page, request }, testInfo) => {
    const user = await registerAt(request, server.url, 'crash');
    const first = await turn(request, user, '첫 질문입니다', undefined, server.url);
    await openAs(page, user, `${server.url}/chat/?c=${first}`);
    await expect(page.getByTestId('user-message')).toHaveCount(1);
    await page.getByTestId('message-input').fill('서버가 멈추면 제 질문은요?');
    await page.getByTestId('send-button').click();
    const reply = page.getByTestId('assistant-message').nth(1);
    // the answer's own text (the bubble also holds a hidden "AI 상담사" label)
    await expect(reply.getByTestId('message-content')).toContainText(/[가-힣]{3}/, { timeout: 30_000 });
    await server.kill();
    const status = page.getByTestId('turn-status');
    await expect(status).toHaveAttribute('data-kind', 'interrupted', { timeout: 15_000 });
    await expect(status).toContainText('서버와의 연결이 끊겼습니다');
    await expect(status.getByTestId('turn-charge')).toContainText('차감 여부를 아직 확인하지 못했습니다', { timeout: 15_000 });
    await expect(status.getByTestId('resend')).toBeVisible();
    await expect(page.getByTestId('message-input')).toHaveValue('서버가 멈추면 제 질문은요?');
    await shot(page, testInfo, 'chat-server-stopped');

    await server.start();
    await expect(status.getByTestId('turn-charge')).toHaveText('요금이 청구되지 않았습니다.', { timeout: 20_000 });
    await page.reload();
    await expect(page.getByTestId('user-message')).toHaveCount(1);
    await expect(page.getByTestId('message-input')).toHaveValue('서버가 멈추면 제 질문은요?');
    // and sending it again answers it
    await page.getByTestId('send-button').click();
    await expect(page.getByTestId('assistant-message').last().getByTestId('receipt-toggle')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('user-message')).toHaveCount(2);
  });
});
