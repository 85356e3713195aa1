import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';

export const ADMIN = { email: 'admin@consult-on.local', password: 'admin1234!' };

export interface Account {
  token: string;
  user: { id: string; email: string; role: string };
  email: string;
  password: string;
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}@e2e.test`;
}

export async function register(request: APIRequestContext, prefix = 'user'): Promise<Account> {
  const email = uniqueEmail(prefix);
  const password = 'Quiet-river-4821';
  const response = await request.post('/api/auth/register', { data: { email, password } });
  expect(response.status(), await response.text()).toBeLessThan(300);
  const body = await response.json();
  return { token: body.accessToken, user: body.user, email, password };
}

export async function login(request: APIRequestContext, email: string, password: string): Promise<Account> {
  const response = await request.post('/api/auth/login', { data: { email, password } });
  expect(response.status(), await response.text()).toBe(200);
  const body = await response.json();
  return { token: body.accessToken, user: body.user, email, password };
}

export async function setUsage(request: APIRequestContext, admin: Account, userId: string, usagePercent: number): Promise<void> {
  const response = await request.post('/api/ai-usage/test-usage', {
    data: { userId, usagePercent },
    headers: { authorization: `Bearer ${admin.token}` },
  });
  expect(response.status(), await response.text()).toBe(200);
}

/** Opens a page with the account's session already in localStorage. */
export async function openAs(page: Page, account: Account, path: string): Promise<void> {
  // Only on the first document of the tab: later navigations see whatever the app did with it (logout, 401).
  await page.addInitScript((token) => {
    if (window.sessionStorage.getItem('e2e-session-set')) return;
    window.sessionStorage.setItem('e2e-session-set', '1');
    window.localStorage.setItem('consulton.token', token);
  }, account.token);
  await page.goto(path);
}

/** From now on, collects the Content Security Policy violations the browser reports on the page's console. */
export function cspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  return violations;
}

export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const body = await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

/**
 * A spec's screenshot: attached to the report and, when `dir` is set (an env variable such as
 * CHAT_SHOTS_DIR=/tmp/shots-chat), also saved there for people to look at (not committed).
 */
export function shotsIn(dir: string | undefined, options: { fullPage?: boolean } = {}) {
  return async (page: Page, testInfo: TestInfo, name: string): Promise<void> => {
    await snap(page, testInfo, name);
    if (dir) {
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: options.fullPage ?? false });
    }
  };
}

/** The page does not scroll sideways (a phone's width). */
export async function noSidewaysScroll(page: Page, what = 'the page'): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  expect(scrollWidth, `${what}: the page scrolls sideways (${scrollWidth} > ${clientWidth})`).toBeLessThanOrEqual(clientWidth);
}

/** The authorization header of an account's session, for API calls made by a test. */
export function auth(account: Account): { authorization: string } {
  return { authorization: `Bearer ${account.token}` };
}

/** An organization owned by `owner`, with `members` joined as 구성원 through invitation links; returns its id. */
export async function organizationWith(request: APIRequestContext, owner: Account, name: string, members: Account[]): Promise<string> {
  const created = await request.post('/api/organizations', { data: { name }, headers: auth(owner) });
  expect(created.status(), await created.text()).toBe(201);
  const id = ((await created.json()) as { id: string }).id;
  for (const member of members) {
    const invitation = await request.post(`/api/organizations/${id}/invitations`, { data: { role: 'MEMBER' }, headers: auth(owner) });
    expect(invitation.status(), await invitation.text()).toBe(201);
    const token = new URL(((await invitation.json()) as { path: string }).path, 'http://x').searchParams.get('token');
    const accepted = await request.post('/api/organizations/invitations/accept', { data: { token }, headers: auth(member) });
    expect(accepted.status(), await accepted.text()).toBe(200);
  }
  return id;
}
