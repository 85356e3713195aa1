// Payment stacks for the browser tests: a fake provider (Stripe or Toss, from the API's compiled
// test tools) and a second API process configured for it, each on its own port and database.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import type { FakeStripeServer } from '../../api/dist-tools/testing/fake-stripe-server.js';
import type { FakeTossServer } from '../../api/dist-tools/testing/fake-toss-server.js';
import { snap, uniqueEmail, type Account } from './helpers';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(web, '..', '..');
const main = path.join(repo, 'apps', 'api', 'dist', 'main.js');
const tools = path.join(repo, 'apps', 'api', 'dist-tools', 'testing');

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A module of the API's compiled test tools (`npm run build:tools`). */
async function tool<T>(file: string): Promise<T> {
  const target = path.join(tools, file);
  if (!existsSync(target)) throw new Error(`e2e: ${target} is missing — run \`npm run build:tools\` first`);
  return (await import(pathToFileURL(target).href)) as T;
}

export interface ApiProcess {
  url: string;
  /** The process's last output lines, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the built API (apps/api/dist/main.js) on `port` with a fresh embedded database, the web
 * export and `env` (the provider's settings), and waits for /health.
 */
export async function startApi(port: number, env: Record<string, string>): Promise<ApiProcess> {
  if (!existsSync(main)) throw new Error('e2e: apps/api/dist/main.js is missing — run `npm run build` first');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'consult-on-e2e-payments-'));
  const inherited = { ...process.env };
  // The embedded database and in-process cache, whatever the shell points at.
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'REDIS_HOST', 'PUBLIC_URL']) delete inherited[name];
  const child: ChildProcess = spawn(process.execPath, [main], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      NODE_ENV: 'development',
      PORT: String(port),
      DATA_DIR: dataDir,
      WEB_DIR: path.join(web, 'out'),
      DEMO_ACCOUNTS: 'true',
      DEMO_MODEL_DELAY_MS: '5',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
      REGISTER_RATE_LIMIT_PER_HOUR: '1000',
      RATE_LIMIT_PER_MINUTE: '10000',
      ...env,
    },
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 200));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`e2e: the ${env.PAYMENT_PROVIDER ?? ''} API exited with ${child.exitCode}:\n${lines.join('\n')}`);
    }
    try {
      if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`e2e: the ${env.PAYMENT_PROVIDER ?? ''} API did not come up on ${url}:\n${lines.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, output: () => lines.join('\n'), stop };
}

export interface StripeStack {
  fake: FakeStripeServer;
  api: ApiProcess;
  stop(): Promise<void>;
}

/** The fake Stripe (signed webhooks to the API) and an API with PAYMENT_PROVIDER=stripe in KRW. */
export async function startStripeStack(): Promise<StripeStack> {
  const { FakeStripeServer } = await tool<typeof import('../../api/dist-tools/testing/fake-stripe-server.js')>('fake-stripe-server.js');
  const port = await freePort();
  const secretKey = 'sk_test_e2e_consult_on';
  const webhookSecret = 'whsec_e2e_consult_on';
  const fake = await new FakeStripeServer({ secretKey, webhookSecret, webhookUrl: `http://127.0.0.1:${port}/api/payments/webhooks/stripe` }).start();
  try {
    const api = await startApi(port, { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: secretKey, STRIPE_WEBHOOK_SECRET: webhookSecret, STRIPE_API_URL: fake.url, STRIPE_CURRENCY: 'KRW' });
    return { fake, api, stop: async () => (await api.stop(), await fake.stop()) };
  } catch (error) {
    await fake.stop();
    throw error;
  }
}

export interface TossStack {
  fake: FakeTossServer;
  api: ApiProcess;
  stop(): Promise<void>;
}

/** The fake Toss (REST API, JS SDK at /v2/standard, payment window) and an API with PAYMENT_PROVIDER=toss. */
export async function startTossStack(): Promise<TossStack> {
  const { FakeTossServer } = await tool<typeof import('../../api/dist-tools/testing/fake-toss-server.js')>('fake-toss-server.js');
  const fake = await new FakeTossServer({ secretKey: 'test_sk_e2e_consult_on', clientKey: 'test_ck_e2e_consult_on' }).start();
  try {
    const api = await startApi(await freePort(), {
      PAYMENT_PROVIDER: 'toss',
      TOSS_CLIENT_KEY: fake.clientKey,
      TOSS_SECRET_KEY: fake.secretKey,
      TOSS_API_URL: fake.url,
      TOSS_SDK_URL: `${fake.url}/v2/standard`,
    });
    return { fake, api, stop: async () => (await api.stop(), await fake.stop()) };
  } catch (error) {
    await fake.stop();
    throw error;
  }
}

/** helpers.ts's register, against another API than the default one. */
export async function registerAt(request: APIRequestContext, baseURL: string, prefix = 'user'): Promise<Account> {
  const email = uniqueEmail(prefix);
  const password = 'Quiet-river-4821';
  const response = await request.post(`${baseURL}/api/auth/register`, { data: { email, password } });
  expect(response.status(), await response.text()).toBeLessThan(300);
  const body = await response.json();
  return { token: body.accessToken, user: body.user, email, password };
}

export async function loginAt(request: APIRequestContext, baseURL: string, email: string, password: string): Promise<Account> {
  const response = await request.post(`${baseURL}/api/auth/login`, { data: { email, password } });
  expect(response.status(), await response.text()).toBe(200);
  const body = await response.json();
  return { token: body.accessToken, user: body.user, email, password };
}

/** GET an API path as `account`. */
export async function getAs<T>(request: APIRequestContext, baseURL: string, account: Account, apiPath: string): Promise<T> {
  const response = await request.get(`${baseURL}${apiPath}`, { headers: { authorization: `Bearer ${account.token}` } });
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as T;
}

/** Whether the page scrolls sideways (the app must not, down to 360 px). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** snap(), and a copy in SHOTS_DIR when set (for looking at the pages by hand; not kept in the repo). */
export async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await snap(page, testInfo, name);
  const dir = process.env.SHOTS_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
  }
}
