import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

let api: TestApp;

beforeAll(async () => {
  api = await createTestApp();
});
afterAll(async () => {
  await api?.close();
});

describe('GET /metrics', () => {
  it('exposes turns by outcome, tokens by bucket, open holds, refusals and latency', async () => {
    const user = await api.signUp();
    await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '안녕하세요' } });
    await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '' } });
    const response = await api.request('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = String(response.body);
    expect(text).toMatch(/consult_on_chat_turns_total\{outcome="completed",model="consult-basic"\} 1/);
    expect(text).toMatch(/consult_on_tokens_charged_total\{bucket="free",model="consult-basic"\} \d+/);
    expect(text).toMatch(/consult_on_open_holds\{measure="holds"\} 0/);
    expect(text).toMatch(/consult_on_refusals_total\{code="VALIDATION_FAILED"\} 1/);
    // The route pattern is recorded once (a bucket by time would make this a timed test).
    expect(text).toMatch(/consult_on_http_request_duration_seconds_count\{method="POST",route="\/api\/chat\/send",status="200"\} 1/);
    expect(text).toMatch(/consult_on_http_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="\/api\/chat\/send",status="200"\} 1/);
  });

  it('needs its token when one is configured, and is off in production without one', async () => {
    const protectedApp = await createTestApp({ METRICS_TOKEN: 'metrics-token-0123456789' });
    try {
      expect((await protectedApp.request('GET', '/metrics')).status).toBe(401);
      expect((await protectedApp.request('GET', '/metrics', { token: 'metrics-token-0123456789' })).status).toBe(200);
    } finally {
      await protectedApp.close();
    }
    const production = await createTestApp({ NODE_ENV: 'production', DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused', TOSS_CLIENT_KEY: 'live_ck_unused', TOSS_SECRET_KEY: 'live_sk_unused', PUBLIC_URL: 'https://consult-on.example.com' });
    try {
      expect((await production.request('GET', '/metrics')).status).toBe(404);
    } finally {
      await production.close();
    }
  });
});
