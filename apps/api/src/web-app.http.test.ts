import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './testing/test-app.js';

let api: TestApp;

beforeAll(async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'consult-on-web-'));
  writeFileSync(path.join(directory, 'index.html'), '<!doctype html><title>home</title>');
  writeFileSync(path.join(directory, '404.html'), '<!doctype html><title>missing</title>');
  mkdirSync(path.join(directory, 'dashboard'));
  writeFileSync(path.join(directory, 'dashboard', 'index.html'), '<!doctype html><title>dashboard</title>');
  api = await createTestApp({ SERVE_WEB: 'true', WEB_DIR: directory });
});
afterAll(async () => {
  await api?.close();
});

describe('the web app served by the API', () => {
  it('serves pages at / next to the API, and a 404 page for unknown pages', async () => {
    expect(String((await api.request('GET', '/')).body)).toContain('<title>home</title>');
    expect(String((await api.request('GET', '/dashboard/')).body)).toContain('<title>dashboard</title>');
    const missing = await api.request('GET', '/no-such-page');
    expect(missing.status).toBe(404);
    expect(String(missing.body)).toContain('<title>missing</title>');
  });

  it('leaves the API, its JSON errors and the metrics alone', async () => {
    expect((await api.request('GET', '/api/nothing')).body).toMatchObject({ code: 'NOT_FOUND' });
    expect((await api.request('GET', '/health')).body).toMatchObject({ status: 'ok' });
    expect(String((await api.request('GET', '/metrics')).body)).toContain('consult_on_chat_turns_total');
  });
});
