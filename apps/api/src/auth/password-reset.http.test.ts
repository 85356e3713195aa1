import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailCatcher, type MailCatcher } from '../../testing/mail-catcher.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';
import { accountTokens } from '../database/schema.js';

// A forgotten password, reset with a link mailed through a real SMTP server (smtp-server on a
// local port), and the verification of a new account's address with the same machinery.
let mail: MailCatcher;
let api: TestApp;

beforeAll(async () => {
  mail = await startMailCatcher();
  api = await createTestApp({ SMTP_URL: mail.url, PUBLIC_URL: 'https://app.consult-on.test', UNVERIFIED_ALLOWANCE_TOKENS: '3000' });
});
afterAll(async () => {
  await api?.close();
  await mail?.close();
});

const NEW_PASSWORD = 'Silent-harbor-7315';
const tokenOf = (link: string) => new URL(link).hash.replace('#token=', '');

/** A registered user whose address is verified (the registration's mail followed). */
async function verifiedUser(prefix: string) {
  const user = await api.signUp(prefix);
  const link = mail.linkIn(await mail.next(user.email));
  expect((await api.request('POST', '/api/auth/email/verify', { body: { token: tokenOf(link) } })).status).toBe(200);
  return user;
}

describe('password reset by mail', () => {
  it('mails a one-time link to PUBLIC_URL that sets a new password, ends every session and signs in', async () => {
    const user = await verifiedUser('reset');
    const requested = await api.request('POST', '/api/auth/password-reset', { body: { email: user.email.toUpperCase() }, headers: { host: 'evil.example' } });
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ accepted: true });
    const message = await mail.next(user.email);
    expect(message.subject).toContain('비밀번호 재설정');
    const link = mail.linkIn(message);
    // The link goes where the operator said, never to the Host a caller sent.
    expect(link).toMatch(/^https:\/\/app\.consult-on\.test\/reset-password\/#token=[A-Za-z0-9_-]{43}$/);

    const token = tokenOf(link);
    const weak = await api.request('POST', '/api/auth/password-reset/confirm', { body: { token, newPassword: 'password' } });
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('VALIDATION_FAILED');
    // A refused password leaves the link working.
    const reset = await api.request('POST', '/api/auth/password-reset/confirm', { body: { token, newPassword: NEW_PASSWORD } });
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body.user).toMatchObject({ id: user.id, email: user.email });
    expect((await api.request('GET', '/api/auth/me', { token: user.token })).status).toBe(401);
    expect((await api.request('GET', '/api/auth/me', { token: reset.body.accessToken })).status).toBe(200);
    expect((await api.request('POST', '/api/auth/login', { body: { email: user.email, password: 'password-123' } })).status).toBe(401);
    expect((await api.request('POST', '/api/auth/login', { body: { email: user.email, password: NEW_PASSWORD } })).status).toBe(200);

    const again = await api.request('POST', '/api/auth/password-reset/confirm', { body: { token, newPassword: 'Another-harbor-9931' } });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('INVALID_LINK');
  });

  it('answers the same for an address without an account, and mails nothing there', async () => {
    const user = await verifiedUser('enumeration');
    const ghost = `ghost-${Date.now()}@example.com`;
    const forGhost = await api.request('POST', '/api/auth/password-reset', { body: { email: ghost } });
    const forUser = await api.request('POST', '/api/auth/password-reset', { body: { email: user.email } });
    expect(forGhost.status).toBe(forUser.status);
    expect(forGhost.body).toEqual(forUser.body);
    expect(forGhost.headers.get('content-length')).toBe(forUser.headers.get('content-length'));
    await mail.next(user.email);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mail.mails.some((message) => message.to.includes(ghost))).toBe(false);
  });

  it('makes the older links void once one is used, refuses an expired one, and mails one address at most three links an hour', async () => {
    const user = await verifiedUser('reset-links');
    const links: string[] = [];
    // Six at once: the cap is counted under the account's lock, so they cannot all slip under it.
    await Promise.all(Array.from({ length: 6 }, () => api.request('POST', '/api/auth/password-reset', { body: { email: user.email } })));
    for (let i = 0; i < 3; i += 1) links.push(mail.linkIn(await mail.next(user.email)));
    await expect(mail.next(user.email, 500)).rejects.toThrow(/no mail/);

    // One expired in the database: refused, as an unknown one is.
    await api.database.db.update(accountTokens).set({ expiresAt: new Date(Date.now() - 1_000) }).where(eq(accountTokens.tokenHash, (await import('../common/secret-token.js')).secretHash(tokenOf(links[0]!))));
    expect((await api.request('POST', '/api/auth/password-reset/confirm', { body: { token: tokenOf(links[0]!), newPassword: NEW_PASSWORD } })).body.code).toBe('INVALID_LINK');
    expect((await api.request('POST', '/api/auth/password-reset/confirm', { body: { token: tokenOf(links[1]!), newPassword: NEW_PASSWORD } })).status).toBe(200);
    expect((await api.request('POST', '/api/auth/password-reset/confirm', { body: { token: tokenOf(links[2]!), newPassword: 'Another-harbor-9931' } })).body.code).toBe('INVALID_LINK');
  });

  it('refuses a link of an account an admin locked (it was mailed before the lock)', async () => {
    const admin = await api.signUpAdmin();
    const user = await verifiedUser('reset-locked');
    await api.request('POST', '/api/auth/password-reset', { body: { email: user.email } });
    const link = mail.linkIn(await mail.next(user.email));
    expect((await api.request('POST', `/api/admin/users/${user.id}/suspend`, { token: admin.token })).status).toBe(200);
    const refused = await api.request('POST', '/api/auth/password-reset/confirm', { body: { token: tokenOf(link), newPassword: NEW_PASSWORD } });
    expect(refused.body.code).toBe('INVALID_LINK');
    // Nor is a new one mailed while the account is locked.
    await api.request('POST', '/api/auth/password-reset', { body: { email: user.email } });
    await expect(mail.next(user.email, 500)).rejects.toThrow(/no mail/);
    expect((await api.request('POST', `/api/admin/users/${user.id}/reactivate`, { token: admin.token })).status).toBe(200);
    expect((await api.request('POST', '/api/auth/login', { body: { email: user.email, password: 'password-123' } })).status).toBe(200);
    // Reactivated, the link from before the lock still does not work.
    expect((await api.request('POST', '/api/auth/password-reset/confirm', { body: { token: tokenOf(link), newPassword: NEW_PASSWORD } })).body.code).toBe('INVALID_LINK');
  });

  it("writes the mail in the account's language, which the owner may change", async () => {
    const user = await verifiedUser('reset-english');
    for (const body of [{ locale: 'fr' }, { locale: 1e23 }, { locale: 'en\u0000' }, {}]) {
      expect((await api.request('PATCH', '/api/auth/me', { token: user.token, body })).status, JSON.stringify(body)).toBe(400);
    }
    const changed = await api.request('PATCH', '/api/auth/me', { token: user.token, body: { locale: 'en' } });
    expect(changed.body).toMatchObject({ id: user.id, locale: 'en' });
    await api.request('POST', '/api/auth/password-reset', { body: { email: user.email } });
    const message = await mail.next(user.email);
    expect(message.subject).toBe('Reset your Consult-On password');
    expect(message.text).toContain('within 30 minutes');
  });

  it('refuses hostile values before any work', async () => {
    for (const [path, body] of [
      ['/api/auth/password-reset', {}],
      ['/api/auth/password-reset', { email: 'a\u0000@example.com' }],
      ['/api/auth/password-reset', { email: '\ud800@example.com' }],
      ['/api/auth/password-reset', { email: 1e23 }],
      ['/api/auth/password-reset', { email: `${'a'.repeat(100_000)}@example.com` }],
      ['/api/auth/password-reset/confirm', { token: 'A'.repeat(42), newPassword: NEW_PASSWORD }],
      ['/api/auth/password-reset/confirm', { token: `${'A'.repeat(42)}\u0000`, newPassword: NEW_PASSWORD }],
      ['/api/auth/password-reset/confirm', { token: 1e23, newPassword: NEW_PASSWORD }],
      ['/api/auth/password-reset/confirm', { token: 'A'.repeat(43), newPassword: `${NEW_PASSWORD}\ud800` }],
      ['/api/auth/email/verify', { token: ['A'.repeat(43)] }],
      ['/api/auth/email/verify', { token: 'A'.repeat(43), extra: true }],
    ] as const) {
      const response = await api.request('POST', path, { body });
      expect(response.status, `${path} ${JSON.stringify(body).slice(0, 60)}`).toBe(400);
    }
  });
});

describe('address verification', () => {
  it('holds an unverified account to a small allowance of its own, and lifts it when the mailed link is opened', async () => {
    const user = await api.signUp('verify');
    const me = await api.request('GET', '/api/auth/me', { token: user.token });
    expect(me.body).toMatchObject({ emailVerified: false, verificationPending: true });
    const message = await mail.next(user.email);
    expect(message.subject).toContain('이메일 주소를 인증');

    // No API key and no organization's pool before the address is verified.
    expect((await api.request('POST', '/api/api-keys', { token: user.token, body: { name: 'early' } })).body.code).toBe('EMAIL_NOT_VERIFIED');
    expect((await api.request('POST', '/api/organizations', { token: user.token, body: { name: '이른 조직' } })).body.code).toBe('EMAIL_NOT_VERIFIED');
    // Turns until the allowance (3,000 tokens here) is used.
    let refused: { status: number; body: { code?: string } } | null = null;
    for (let turn = 0; turn < 40 && !refused; turn += 1) {
      const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '안녕하세요, 오늘 날씨 이야기를 해 주세요.' } });
      if (response.status !== 200) refused = response;
    }
    expect(refused?.status).toBe(403);
    expect(refused?.body.code).toBe('EMAIL_NOT_VERIFIED');
    const used = (await api.request('GET', '/api/ai-usage', { token: user.token })).body;
    // Each turn holds no more than what is left of the allowance: one after another, it is never passed.
    expect(used.usedTokens).toBeGreaterThan(0);
    expect(used.usedTokens).toBeLessThanOrEqual(3_000);

    // A resend mails a new link; either link verifies once.
    expect((await api.request('POST', '/api/auth/email/verification', { token: user.token })).status).toBe(202);
    const resent = mail.linkIn(await mail.next(user.email));
    expect(resent).toMatch(/^https:\/\/app\.consult-on\.test\/verify-email\/#token=/);
    const verified = await api.request('POST', '/api/auth/email/verify', { body: { token: tokenOf(resent) } });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ id: user.id, emailVerified: true, verificationPending: false });
    expect((await api.request('POST', '/api/auth/email/verify', { body: { token: tokenOf(resent) } })).body.code).toBe('INVALID_LINK');
    expect((await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '이제 됩니다' } })).status).toBe(200);
    expect((await api.request('POST', '/api/api-keys', { token: user.token, body: { name: 'now' } })).status).toBe(201);
  });
});
