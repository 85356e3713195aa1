import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.js';

let api: TestApp;

/** Inline scripts like Next's export writes them, with attributes (one with '>' in a value) and a CRLF. */
const DASHBOARD_SCRIPTS = ['(self.__next_f=self.__next_f||[]).push([0])', 'self.__next_f.push([1,"a </b> c"])', '\n  window.boot = 1;\r\n'];
const DASHBOARD =
  '<!doctype html><title>dashboard</title><script src="/_next/static/chunks/main.js" async=""></script>' +
  `<script id="_R_">${DASHBOARD_SCRIPTS[0]}</script><script>${DASHBOARD_SCRIPTS[1]}</script >` +
  `<script type="text/javascript" data-note='a > b'>${DASHBOARD_SCRIPTS[2]}</SCRIPT>` +
  '<script src="/_next/static/chunks/polyfills.js" noModule=""> </script>';

/** The CSP source of an inline script, as the browser computes it (over the text after newline normalisation). */
function hashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text.replaceAll('\r\n', '\n')).digest('base64')}'`;
}

/** The sources of one directive of a response's Content-Security-Policy. */
function directive(headers: Headers, name: string): string[] {
  const policy = headers.get('content-security-policy') ?? '';
  const found = policy.split(';').map((entry) => entry.trim().split(/\s+/)).find(([key]) => key === name);
  return found ? found.slice(1) : [];
}

beforeAll(async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'consult-on-web-'));
  writeFileSync(path.join(directory, 'index.html'), '<!doctype html><title>home</title>');
  writeFileSync(path.join(directory, '404.html'), '<!doctype html><title>missing</title><script>self.missing = 1</script>');
  mkdirSync(path.join(directory, 'dashboard'));
  writeFileSync(path.join(directory, 'dashboard', 'index.html'), DASHBOARD);
  mkdirSync(path.join(directory, 'api-keys'));
  writeFileSync(path.join(directory, 'api-keys', 'index.html'), '<!doctype html><title>api keys</title>');
  api = await createTestApp({ SERVE_WEB: 'true', WEB_DIR: directory });
});
afterAll(async () => {
  await api?.close();
});

describe('the web app served by the API', () => {
  it('serves pages at / next to the API, and a 404 page for unknown pages', async () => {
    expect(String((await api.request('GET', '/')).body)).toContain('<title>home</title>');
    expect(String((await api.request('GET', '/dashboard/')).body)).toContain('<title>dashboard</title>');
    // A page whose path begins with the letters of the API's prefix is still a page.
    expect(String((await api.request('GET', '/api-keys/')).body)).toContain('<title>api keys</title>');
    const missing = await api.request('GET', '/no-such-page');
    expect(missing.status).toBe(404);
    expect(String(missing.body)).toContain('<title>missing</title>');
  });

  it('leaves the API, its JSON errors and the metrics alone', async () => {
    expect((await api.request('GET', '/api/nothing')).body).toMatchObject({ code: 'NOT_FOUND' });
    // `/v1` answers in OpenAI's envelope, the key checked before the path.
    expect((await api.request('GET', '/v1/nothing')).body).toMatchObject({ error: { code: 'invalid_api_key' } });
    expect((await api.request('GET', '/health')).body).toMatchObject({ status: 'ok' });
    expect(String((await api.request('GET', '/metrics')).body)).toContain('consult_on_chat_turns_total');
  });

  it("allows each page's own inline scripts by hash, and no other inline script", async () => {
    const dashboard = await api.request('GET', '/dashboard/');
    const scripts = directive(dashboard.headers, 'script-src');
    expect(scripts).not.toContain("'unsafe-inline'");
    expect(scripts.sort()).toEqual(["'self'", ...DASHBOARD_SCRIPTS.map(hashSource)].sort());
    expect(directive((await api.request('GET', '/')).headers, 'script-src')).toEqual(["'self'"]);
    const missing = await api.request('GET', '/no-such-page');
    expect(directive(missing.headers, 'script-src')).toEqual(["'self'", hashSource('self.missing = 1')]);
  });

  it('keeps the rest of the policy on pages as on the API, whose script-src is the site alone', async () => {
    const health = await api.request('GET', '/health');
    expect(directive(health.headers, 'script-src')).toEqual(["'self'"]);
    expect(directive((await api.request('GET', '/api/nothing')).headers, 'script-src')).toEqual(["'self'"]);
    const page = await api.request('GET', '/dashboard/');
    const others = (headers: Headers) =>
      (headers.get('content-security-policy') ?? '')
        .split(';')
        .filter((entry) => !entry.startsWith('script-src '))
        .sort();
    expect(others(page.headers)).toEqual(others(health.headers));
    expect(directive(page.headers, 'style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(directive(page.headers, 'object-src')).toEqual(["'none'"]);
    expect(directive(page.headers, 'connect-src')).toEqual(["'self'"]);
  });
});

describe("the payment window's script", () => {
  it('is allowed on the purchase pages only, from the configured Toss SDK origin', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'consult-on-web-'));
    writeFileSync(path.join(directory, 'index.html'), '<!doctype html><title>home</title>');
    for (const page of ['dashboard', 'purchase', path.join('purchase', 'result')]) {
      mkdirSync(path.join(directory, page), { recursive: true });
      writeFileSync(path.join(directory, page, 'index.html'), `<!doctype html><title>${page}</title>`);
    }
    const toss = await createTestApp({ SERVE_WEB: 'true', WEB_DIR: directory, PAYMENT_PROVIDER: 'toss', TOSS_CLIENT_KEY: 'test_ck_x', TOSS_SECRET_KEY: 'test_sk_x' });
    try {
      for (const page of ['/purchase/', '/purchase/result/']) {
        const { headers } = await toss.request('GET', page);
        expect(directive(headers, 'script-src'), page).toContain('https://js.tosspayments.com');
        expect(directive(headers, 'frame-src'), page).toContain('https://*.tosspayments.com');
        expect(directive(headers, 'connect-src'), page).toContain('https://*.tosspayments.com');
      }
      const dashboard = await toss.request('GET', '/dashboard/');
      expect(directive(dashboard.headers, 'script-src')).toEqual(["'self'"]);
      expect(directive(dashboard.headers, 'connect-src')).toEqual(["'self'"]);
    } finally {
      await toss.close();
    }
    // With Stripe (a full-page redirect) or the instant provider no page allows another origin.
    expect(directive((await api.request('GET', '/dashboard/')).headers, 'script-src')).not.toContain('https://js.tosspayments.com');
  });
});
