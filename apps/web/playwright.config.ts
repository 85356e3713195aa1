import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A free local port. */
const freePort = () =>
  execFileSync(process.execPath, ['-e', "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})"])
    .toString()
    .trim();
// Free ports for the whole run, set before workers start, so they inherit them: the app's; the
// second app's, which sends mail (SMTP_URL), and the local SMTP server's that a spec starts for it.
process.env.E2E_PORT ??= freePort();
process.env.E2E_MAIL_PORT ??= freePort();
process.env.E2E_SMTP_PORT ??= freePort();
// Fresh embedded databases per run; e2e/teardown.ts removes them (the servers themselves are killed hard).
process.env.E2E_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), 'consult-on-e2e-'));
process.env.E2E_MAIL_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), 'consult-on-e2e-'));
const baseURL = `http://127.0.0.1:${process.env.E2E_PORT}`;
const mailURL = `http://127.0.0.1:${process.env.E2E_MAIL_PORT}`;

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  globalTeardown: './e2e/teardown.ts',
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    locale: 'ko-KR',
    timezoneId: 'Asia/Seoul',
    viewport: { width: 1280, height: 900 },
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: [
    {
      command: 'node e2e/serve.mjs',
      url: `${baseURL}/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // The same app with mail configured (account.spec.ts): a separate database, so that the other
      // specs' accounts are not asked to verify their addresses.
      command: 'node e2e/serve.mjs --mail',
      url: `${mailURL}/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
