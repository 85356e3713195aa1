import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

// Changing a password: the current one is asked for; every other session ends at once, this one
// gets a new token; API keys are credentials of their own and stay.
let api: TestApp;

beforeAll(async () => {
  api = await createTestApp();
});
afterAll(async () => {
  await api?.close();
});

const NEW_PASSWORD = 'Silent-harbor-7315';

describe('POST /api/auth/password', () => {
  it('needs the current password, ends the other sessions, keeps this one with a new token and the API keys', async () => {
    const user = await api.signUp('password-change');
    const other = (await api.request('POST', '/api/auth/login', { body: { email: user.email, password: 'password-123' } })).body.accessToken as string;
    const key = (await api.request('POST', '/api/api-keys', { token: user.token, body: { name: 'kept' } })).body.key as string;

    const wrong = await api.request('POST', '/api/auth/password', { token: user.token, body: { currentPassword: 'not-mine-123', newPassword: NEW_PASSWORD } });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ code: 'WRONG_CURRENT_PASSWORD' });
    const weak = await api.request('POST', '/api/auth/password', { token: user.token, body: { currentPassword: 'password-123', newPassword: 'password' } });
    expect(weak.status).toBe(400);
    // Refused: both sessions still work.
    expect((await api.request('GET', '/api/auth/me', { token: other })).status).toBe(200);

    const changed = await api.request('POST', '/api/auth/password', { token: user.token, body: { currentPassword: 'password-123', newPassword: NEW_PASSWORD } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ tokenType: 'Bearer', user: { id: user.id, email: user.email } });
    expect((await api.request('GET', '/api/auth/me', { token: user.token })).status).toBe(401);
    expect((await api.request('GET', '/api/auth/me', { token: other })).status).toBe(401);
    expect((await api.request('GET', '/api/auth/me', { token: changed.body.accessToken })).status).toBe(200);
    expect((await api.request('POST', '/api/auth/login', { body: { email: user.email, password: 'password-123' } })).status).toBe(401);
    expect((await api.request('POST', '/api/auth/login', { body: { email: user.email, password: NEW_PASSWORD } })).status).toBe(200);
    const models = await new OpenAI({ apiKey: key, baseURL: `${api.baseUrl}/v1`, maxRetries: 0 }).models.list();
    expect(models.data.length).toBeGreaterThan(0);
  });

  it('refuses hostile values before any work, and anyone without a session', async () => {
    const user = await api.signUp('password-hostile');
    for (const body of [
      {},
      { currentPassword: 'password-123' },
      { currentPassword: 'password-123', newPassword: 'x'.repeat(129) },
      { currentPassword: 'x'.repeat(100_000), newPassword: NEW_PASSWORD },
      { currentPassword: 'password-123', newPassword: `${NEW_PASSWORD}\u0000` },
      { currentPassword: 'password-123', newPassword: `${NEW_PASSWORD}\ud800` },
      { currentPassword: 'password-123', newPassword: 1e23 },
      { currentPassword: 'password-123', newPassword: NEW_PASSWORD, role: 'ADMIN' },
    ]) {
      expect((await api.request('POST', '/api/auth/password', { token: user.token, body })).status, JSON.stringify(body).slice(0, 60)).toBe(400);
    }
    expect((await api.request('GET', '/api/auth/me', { token: user.token })).status).toBe(200);
    expect((await api.request('POST', '/api/auth/password', { body: { currentPassword: 'password-123', newPassword: NEW_PASSWORD } })).status).toBe(401);
  });
});
