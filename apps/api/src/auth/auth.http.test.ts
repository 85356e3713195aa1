import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { earlyInAMinute } from '../../testing/rate-window.js';
import { deleteRedisKeys } from '../../testing/redis-cleanup.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

let api: TestApp;

beforeAll(async () => {
  api = await createTestApp();
});
afterAll(async () => {
  await api?.close();
});

function base64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function forge(header: object, payload: object, key: string | null): string {
  const unsigned = `${base64url(header)}.${base64url(payload)}`;
  const signature = key ? createHmac('sha256', key).update(unsigned).digest('base64url') : '';
  return `${unsigned}.${signature}`;
}

describe('register, login and me', () => {
  it('registers, logs in and returns the current user without the password hash', async () => {
    const email = `Someone-${Date.now()}@Example.com`;
    const registered = await api.request('POST', '/api/auth/register', { body: { email, password: 'password-123', locale: 'en' } });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ tokenType: 'Bearer', user: { email: email.toLowerCase(), role: 'USER', locale: 'en' } });

    const login = await api.request('POST', '/api/auth/login', { body: { email, password: 'password-123' } });
    expect(login.status).toBe(200);
    const me = await api.request('GET', '/api/auth/me', { token: login.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(registered.body.user);
    expect(JSON.stringify(me.body)).not.toContain('argon2');
  });

  it('refuses a second account with the same email', async () => {
    const { email } = await api.signUp();
    const again = await api.request('POST', '/api/auth/register', { body: { email, password: 'password-456' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('EMAIL_TAKEN');
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    const { email } = await api.signUp();
    const wrong = await api.request('POST', '/api/auth/login', { body: { email, password: 'nope-nope' } });
    const unknown = await api.request('POST', '/api/auth/login', { body: { email: `x${email}`, password: 'nope-nope' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
  });

  it('answers in English when asked', async () => {
    const response = await api.request('GET', '/api/auth/me', { headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect(response.body).toEqual({ code: 'UNAUTHORIZED', message: 'Authentication is required.' });
    const korean = await api.request('GET', '/api/auth/me');
    expect(korean.body.message).toBe('로그인이 필요합니다.');
  });

  it('rejects bad input with the fields at fault', async () => {
    const response = await api.request('POST', '/api/auth/register', { body: { email: 'not-an-email', password: 'short', role: 'ADMIN' } });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    const fields = response.body.fields.map((field: { field: string }) => field.field).sort();
    expect(fields).toEqual(['email', 'password', 'role']);
  });
});

describe('forged tokens', () => {
  let userId: string;
  beforeAll(async () => {
    userId = (await api.signUp()).id;
  });
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ['signed with another key', () => forge({ alg: 'HS256', typ: 'JWT' }, { sub: userId, role: 'ADMIN', iat: now(), exp: now() + 600 }, 'another-key-another-key-another-key')],
    ['with alg none', () => forge({ alg: 'none', typ: 'JWT' }, { sub: userId, role: 'ADMIN', iat: now(), exp: now() + 600 }, null)],
    ['with another algorithm', () => forge({ alg: 'HS512', typ: 'JWT' }, { sub: userId, iat: now(), exp: now() + 600 }, api.config.jwt.secret)],
    ['expired', () => forge({ alg: 'HS256', typ: 'JWT' }, { sub: userId, iat: now() - 7_200, exp: now() - 3_600 }, api.config.jwt.secret)],
    ['for a user that does not exist', () => forge({ alg: 'HS256', typ: 'JWT' }, { sub: '00000000-0000-4000-8000-000000000000', iat: now(), exp: now() + 600 }, api.config.jwt.secret)],
    ['that is garbage', () => 'not.a.jwt'],
  ])('refuses a token %s', async (_, token) => {
    const response = await api.request('GET', '/api/auth/me', { token: token() });
    expect(response.status).toBe(401);
  });

  it('ignores a role claim: the role comes from the database', async () => {
    const user = await api.signUp();
    const [, payload] = user.token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const tampered = forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, role: 'ADMIN' }, 'guessed-key-guessed-key-guessed-key');
    expect((await api.request('GET', '/api/auth/me', { token: tampered })).status).toBe(401);
    const adjust = await api.request('POST', `/api/admin/users/${user.id}/adjustments`, { token: user.token, body: { tokens: 1, reason: 'self-grant' } });
    expect(adjust.status).toBe(403);
  });
});

describe('the administrator bootstrap', () => {
  it('creates the admin once and keeps it on the next start', async () => {
    const { AuthService } = await import('./auth.service.js');
    const auth = api.app.get(AuthService);
    const email = `root-${Date.now()}@test.local`;
    expect(await auth.ensureAdmin(email, 'root-password-1')).toBe('created');
    expect(await auth.ensureAdmin(email, 'root-password-1')).toBe('kept');
    const login = await api.request('POST', '/api/auth/login', { body: { email, password: 'root-password-1' } });
    expect(login.body.user.role).toBe('ADMIN');
  });

  it('creates one admin when several workers start at once, and none of them fails', async () => {
    const { AuthService } = await import('./auth.service.js');
    const auth = api.app.get(AuthService);
    const email = `root-together-${Date.now()}@test.local`;
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => auth.ensureAdmin(email, 'root-password-1')));
    expect(outcomes.sort()).toEqual(['created', 'kept', 'kept', 'kept']);
    const login = await api.request('POST', '/api/auth/login', { body: { email, password: 'root-password-1' } });
    expect(login.body.user.role).toBe('ADMIN');
  });
});

describe('brute force', () => {
  it('limits login attempts per client', async () => {
    const limited = await createTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '5' });
    try {
      await earlyInAMinute();
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 8; attempt += 1) {
        statuses.push((await limited.request('POST', '/api/auth/login', { body: { email: 'x@test.local', password: 'guess-123' } })).status);
      }
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
      const body = (await limited.request('POST', '/api/auth/login', { body: { email: 'x@test.local', password: 'guess-123' } })).body;
      expect(body.code).toBe('RATE_LIMITED');
      // Other routes are not affected by the login limit.
      expect((await limited.request('GET', '/health')).status).toBe(200);
    } finally {
      await limited.close();
    }
  }, 120_000);
  it.skipIf(!process.env.REDIS_URL)('holds the login limit across instances: two behind one address get it once, not twice', async () => {
    const shared = { AUTH_RATE_LIMIT_PER_MINUTE: '5', REDIS_KEY_PREFIX: `consult-on-test:${process.pid}:${Date.now()}:two-instances:` };
    const first = await createTestApp(shared);
    const second = await createTestApp(shared, undefined, first.database);
    try {
      await earlyInAMinute();
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 8; attempt += 1) {
        const instance = attempt % 2 === 0 ? first : second;
        statuses.push((await instance.request('POST', '/api/auth/login', { body: { email: 'x@test.local', password: 'guess-123' } })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    } finally {
      await second.close();
      await first.close();
      await deleteRedisKeys(process.env.REDIS_URL!, shared.REDIS_KEY_PREFIX);
    }
  }, 120_000);
});
