// Starts the real API (built) on E2E_PORT with a fresh temporary DATA_DIR (embedded PGlite),
// the offline demo model and the built web export. Used by playwright.config.ts's webServer.
// With --mail: on E2E_MAIL_PORT and E2E_MAIL_DATA_DIR, sending mail to the SMTP server on
// E2E_SMTP_PORT (started by the spec that reads the mail), its links pointing at itself.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(web, '..', '..');
const main = path.join(repo, 'apps', 'api', 'dist', 'main.js');
const out = path.join(web, 'out');

if (!existsSync(path.join(out, 'index.html'))) {
  console.error('e2e: apps/web/out is missing — run `npm run build -w @consult-on/web` first');
  process.exit(1);
}
if (!existsSync(main)) {
  console.log('e2e: building the API (tsc -b apps/api)…');
  const result = spawnSync('npx', ['tsc', '-b', 'apps/api'], { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const withMail = process.argv.includes('--mail');
const port = (withMail ? process.env.E2E_MAIL_PORT : process.env.E2E_PORT) ?? (withMail ? '3301' : '3300');
const dataDir = (withMail ? process.env.E2E_MAIL_DATA_DIR : process.env.E2E_DATA_DIR) ?? mkdtempSync(path.join(tmpdir(), 'consult-on-e2e-'));
// The mail app also archives every conversation when its archive job is run (archive.spec.ts): nobody waits 90 days in a test.
const mail = withMail ? { SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT ?? '2525'}`, PUBLIC_URL: `http://127.0.0.1:${port}`, ARCHIVE_AFTER_DAYS: '0' } : {};
const child = spawn(process.execPath, [main], {
  cwd: repo,
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_ENV: 'development',
    PORT: port,
    DATA_DIR: dataDir,
    WEB_DIR: out,
    DEMO_MODEL_DELAY_MS: '5',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    REGISTER_RATE_LIMIT_PER_HOUR: '1000',
    RATE_LIMIT_PER_MINUTE: '10000',
    ...mail,
  },
});
const cleanup = () => rmSync(dataDir, { recursive: true, force: true });
const stop = () => child.kill('SIGTERM');
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('exit', (code) => {
  cleanup();
  process.exit(code ?? 0);
});
