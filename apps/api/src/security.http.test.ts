import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdminBootstrapError, AuthService } from './auth/auth.service.js';
import { loadConfig } from './config/app-config.js';
import { ledgerEntries, messages, users } from './database/schema.js';
import { countPromptTokens, TokenCounter } from './llm/token-counter.js';
import { appLedger } from '../testing/ledger-harness.js';
import { FakeOpenAiServer } from '../testing/fake-openai-server.js';
import { readSse } from '../testing/sse.js';
import { earlyInAMinute } from '../testing/rate-window.js';
import { createTestApp, type TestApp } from '../testing/test-app.js';
import { testConfig } from '../testing/test-config.js';

/**
 * Regressions of the red-team pass (issue 11): each test failed on the code before the fix.
 * RELIABILITY.md lists the attack classes tried and what each rests on.
 */
let fake: FakeOpenAiServer;
let api: TestApp;
let admin: { id: string; token: string };

beforeAll(async () => {
  fake = await new FakeOpenAiServer().start();
  api = await createTestApp({ OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.url, OPENAI_TIMEOUT_MS: '2000' });
  admin = await api.signUpAdmin();
});
afterAll(async () => {
  await api?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.defaultBehavior = { kind: 'reply' };
});

async function consumed(userId: string): Promise<number> {
  const rows = await api.database.db
    .select({ amount: ledgerEntries.amountTokens })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.userId, userId), eq(ledgerEntries.kind, 'CONSUMPTION')));
  return rows.reduce((total, row) => total + row.amount, 0);
}

async function stream(token: string, body: unknown) {
  const response = await fetch(`${api.baseUrl}/api/chat/stream`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, events: response.status === 200 ? await readSse(response) : [], body: response.status === 200 ? null : await response.json() };
}

async function metric(name: string): Promise<number> {
  const text = (await api.request('GET', '/metrics')).body as string;
  const line = text.split('\n').find((row) => row.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

const UNSTORABLE = { nul: 'hello\u0000world', loneHigh: 'hi \ud83d there', loneLow: '\ude00 alone' };

describe('1. text the database cannot take never becomes a free answer', () => {
  it.each(Object.entries(UNSTORABLE))('refuses a message with %s on send, stream and estimate before any model call or hold', async (_kind, message) => {
    const user = await api.signUp();
    const calls = fake.requests.length;
    for (const path of ['/api/chat/send', '/api/chat/estimate']) {
      const response = await api.request('POST', path, { token: user.token, body: { message } });
      expect(response.status, path).toBe(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'message' }] });
    }
    const streamed = await stream(user.token, { message });
    expect(streamed.status).toBe(400);
    expect(fake.requests.length).toBe(calls);
    expect(await consumed(user.id)).toBe(0);
  });

  it('refuses NUL and lone surrogates in every other string that enters: names, reasons, keys, query strings', async () => {
    const user = await api.signUp();
    const cases = [
      api.request('POST', '/api/auth/register', { body: { email: 'x\u0000@example.com', password: 'Sturdy-lamp-41' } }),
      api.request('POST', '/api/auth/login', { body: { email: 'a@example.com', password: 'pass\ud800word' } }),
      api.request('POST', `/api/admin/users/${user.id}/adjustments`, { token: admin.token, body: { tokens: 10, reason: 'bonus\u0000' } }),
      api.request('POST', '/api/chat/send', { token: user.token, body: { message: 'hi', model: 'consult-basic\u0000' } }),
      api.request('POST', '/api/chat/send', { token: user.token, body: { message: 'hi', ['key\u0000']: 1 } }),
      api.request('GET', '/api/admin/users?query=%00', { token: admin.token }),
    ];
    for (const response of await Promise.all(cases)) {
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it.each(['send', 'stream'])('charges a reply that reached the user on /chat/%s even when the model sends NUL and lone surrogates', async (endpoint) => {
    const user = await api.signUp();
    fake.next({ kind: 'reply', text: 'a\u0000b \ud83d end', promptTokens: 30, completionTokens: 12 });
    if (endpoint === 'send') {
      const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '안녕하세요' } });
      expect(response.status).toBe(200);
      expect(response.body.content).toBe('ab \ufffd end');
      expect(response.body.usage.chargedTokens).toBe(42);
    } else {
      const { events } = await stream(user.token, { message: '안녕하세요' });
      expect(events.map((event) => event.event)).toContain('usage');
      expect(events.at(-1)!.event).toBe('done');
    }
    expect(await consumed(user.id)).toBe(42);
    const [reply] = await api.database.db.select({ content: messages.content }).from(messages).where(and(eq(messages.role, 'assistant'), sql`${messages.conversationId} in (select id from conversations where user_id = ${user.id}::uuid)`));
    expect(reply?.content).toBe('ab \ufffd end');
  });

  it.each(['send', 'stream'])('charges a delivered reply on /chat/%s when its messages cannot be recorded, and logs and counts the loss', async (endpoint) => {
    const user = await api.signUp();
    // A constraint the reply breaks stands for any failure to record a turn after the model answered.
    await api.database.db.execute(sql.raw(`alter table messages add constraint test_refuse_reply check (position('unrecordable' in content) = 0) not valid`));
    try {
      const before = await metric('consult_on_chat_turns_unrecorded_total');
      fake.next({ kind: 'reply', text: 'an unrecordable reply', promptTokens: 30, completionTokens: 3 });
      if (endpoint === 'send') {
        const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '안녕하세요' } });
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({ content: 'an unrecordable reply', messageId: null, usage: { chargedTokens: 33 } });
      } else {
        const { events } = await stream(user.token, { message: '안녕하세요' });
        expect(events.filter((event) => event.event === 'delta').map((event) => event.data.text).join('')).toBe('an unrecordable reply');
        expect(events.find((event) => event.event === 'usage')?.data).toMatchObject({ messageId: null, usage: { chargedTokens: 33 } });
      }
      expect(await consumed(user.id)).toBe(33);
      expect(await metric('consult_on_chat_turns_unrecorded_total')).toBe(before + 1);
      const balances = (await appLedger(api.app).usage(user.id)).balances;
      expect(balances).toMatchObject({ heldTokens: 0, periodConsumedTokens: 33 });
      expect((await api.request('GET', '/api/admin/ledger/verify', { token: admin.token })).body).toMatchObject({ ok: true });
    } finally {
      await api.database.db.execute(sql.raw('alter table messages drop constraint test_refuse_reply'));
    }
  });
});

describe('2. one user cannot freeze the server', () => {
  const emoji = (count: number) => Array.from({ length: count }, (_, index) => String.fromCodePoint(0x1f300 + ((index * 7919) % 700))).join('');

  it('refuses a message over 24,000 UTF-8 bytes even when it is under 8,000 characters', async () => {
    const user = await api.signUp();
    const response = await api.request('POST', '/api/chat/estimate', { token: user.token, body: { message: emoji(8_000) } });
    expect(response.status).toBe(400);
    expect(response.body.fields[0]).toMatchObject({ field: 'message', problems: [expect.stringContaining('24000 bytes')] });
  });

  it('counts a long message exactly enough, off the event loop', async () => {
    const user = await api.signUp();
    const message = emoji(5_900);
    const response = await api.request('POST', '/api/chat/estimate', { token: user.token, body: { message } });
    expect(response.status).toBe(200);
    const exact = countPromptTokens([{ role: 'system', content: '당신은 Consult-On의 친절하고 신중한 AI 상담사입니다. 한국어로 공감하며 구체적으로 답하세요.' }, { role: 'user', content: message }]);
    expect(response.body.promptTokens).toBeGreaterThanOrEqual(exact);
    expect(response.body.promptTokens).toBeLessThanOrEqual(exact * 1.01);
  });

  // A timing, so it runs alone (`npm run test:timing`, in CI's fault stage, after the build): the
  // built API in a process of its own, as in production, on the database CI gives it, with the
  // requests sent from this one. A round to warm up, then seven, and the best must stay under
  // 100 ms: a blocked event loop (before the fix, 20 s a round) fails every round, while the two
  // cores' other work (PostgreSQL, the load itself, the machine's neighbours) only spoils some.
  it.runIf(process.env.TIMING_TESTS === '1')('keeps /health under 100 ms while 20 of the costliest estimates run', async () => {
    const server = await startBuiltApi();
    try {
      const register = (index: number) =>
        server.post('/api/auth/register', { email: `timing-${index}-${Date.now()}@example.com`, password: 'Quiet-river-4821' }).then(async (response) => ((await response.json()) as { accessToken: string }).accessToken);
      // Two each for ten users: a user may have two long counts in flight (more get 503 SERVER_BUSY).
      const tokens = await Promise.all(Array.from({ length: 10 }, (_, index) => register(index)));
      // Each at the limits: ≤ 8,000 characters and ≤ 24,000 bytes with its numbered prefix.
      const heavy = [emoji(5_990), 'a'.repeat(7_990), '가'.repeat(7_990)];
      // A warm instance: the pool's worker has started and loaded the tokenizer (kept from then on).
      expect((await server.post('/api/chat/estimate', { message: heavy[1] }, tokens[0])).status).toBe(200);
      const rounds: number[] = [];
      for (let round = 0; round < 8; round += 1) {
        let done = false;
        const estimates = Promise.all(Array.from({ length: 20 }, (_, index) => server.post('/api/chat/estimate', { message: `${index} ${heavy[index % heavy.length]!}` }, tokens[index % 10]).then((response) => response.status))).finally(() => (done = true));
        const latencies: number[] = [];
        while (!done) {
          const probe = performance.now();
          expect((await fetch(`${server.url}/health`)).status).toBe(200);
          latencies.push(performance.now() - probe);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        expect(new Set(await estimates)).toEqual(new Set([200]));
        if (round > 0) rounds.push(Math.max(...latencies));
      }
      console.log(`/health during 20 heavy estimates, slowest probe of each round: ${rounds.map((ms) => `${ms.toFixed(1)} ms`).join(', ')}`);
      expect(Math.min(...rounds)).toBeLessThan(100);
    } finally {
      await server.stop();
    }
  });

  it('charges a delivered reply by its bytes, capped at the hold, when counting it fails', async () => {
    const user = await api.signUp();
    const reply = '가나다라 '.repeat(300);
    fake.next({ kind: 'reply', text: reply, includeUsage: false });
    const countOne = vi.spyOn(api.app.get(TokenCounter), 'countOne').mockRejectedValueOnce(new Error('worker crashed'));
    try {
      const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: '안녕하세요' } });
      expect(response.status).toBe(200);
      expect(response.body.usage).toMatchObject({ estimated: true, completionTokens: Buffer.byteLength(reply) });
      expect(await consumed(user.id)).toBe(response.body.usage.chargedTokens);
      expect(response.body.usage.chargedTokens).toBeGreaterThan(0);
    } finally {
      countOne.mockRestore();
    }
  });

  it('refuses a blocked user with 402 before counting a long message', async () => {
    const user = await api.signUp();
    expect((await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId: user.id, usagePercent: 105 } })).status).toBe(200);
    const count = vi.spyOn(api.app.get(TokenCounter), 'count');
    try {
      for (const path of ['/api/chat/send', '/api/chat/stream']) {
        const response = await api.request('POST', path, { token: user.token, body: { message: 'a'.repeat(8_000) } });
        expect(response.status, path).toBe(402);
        expect(response.body.code).toBe('TOKEN_EXHAUSTED');
      }
      expect(count).not.toHaveBeenCalled();
    } finally {
      count.mockRestore();
    }
  });
});

describe('3. the configured admin is never an account someone else registered first', () => {
  it('refuses to promote an account the start did not create, and promotes it with the configured password only when told to', async () => {
    const auth = api.app.get(AuthService);
    const warn = vi.spyOn(Logger.prototype, 'warn');
    try {
      const address = `ops-${Date.now()}@example.com`;
      const [name, domain] = address.split('@') as [string, string];
      // The attacker registers a look-alike of the address before the operator sets ADMIN_EMAIL.
      const attacker = await api.request('POST', '/api/auth/register', { body: { email: `${name[0]}.${name.slice(1)}+x@${domain}`, password: 'attacker-knows-this-1' } });
      expect(attacker.status).toBe(201);
      const attackerKey = (await api.request('POST', '/api/api-keys', { token: attacker.body.accessToken, body: { name: 'kept for later' } })).body.key as string;
      const keyWorks = async () => (await fetch(`${api.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${attackerKey}` } })).status;
      expect(await keyWorks()).toBe(200);
      await expect(auth.ensureAdmin(address.toUpperCase(), 'operator-chose-this-1')).rejects.toThrow(AdminBootstrapError);
      expect((await api.request('GET', '/api/auth/me', { token: attacker.body.accessToken })).body.role).toBe('USER');

      expect(await auth.ensureAdmin(address.toUpperCase(), 'operator-chose-this-1', true)).toBe('promoted');
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ message: 'role changed', userId: attacker.body.user.id, from: 'USER', to: 'ADMIN' }));
      const stolen = await api.request('POST', '/api/auth/login', { body: { email: attacker.body.user.email, password: 'attacker-knows-this-1' } });
      expect(stolen.status).toBe(401);
      // The session the attacker already had ended with the promotion: it never becomes an admin's; nor do their API keys.
      expect((await api.request('GET', '/api/admin/token-stats', { token: attacker.body.accessToken })).status).toBe(401);
      expect(await keyWorks()).toBe(401);
      const operator = await api.request('POST', '/api/auth/login', { body: { email: address, password: 'operator-chose-this-1' } });
      expect(operator.status).toBe(200);
      expect(operator.body.user).toMatchObject({ role: 'ADMIN', email: address });
      expect(await auth.ensureAdmin(address, 'operator-chose-this-1')).toBe('kept');
    } finally {
      warn.mockRestore();
    }
  });

  it('creates a mixed-case ADMIN_EMAIL once, as the lowercase address, and refuses a weak ADMIN_PASSWORD', async () => {
    const auth = api.app.get(AuthService);
    const address = `Root-${Date.now()}@Example.COM`;
    expect(testConfig({ ADMIN_EMAIL: address, ADMIN_PASSWORD: 'operator-chose-this-1' }).admin?.email).toBe(address.toLowerCase());
    await expect(auth.ensureAdmin(address, '12345678')).rejects.toThrow(/ADMIN_PASSWORD/);
    expect(await auth.ensureAdmin(address, 'operator-chose-this-1')).toBe('created');
    expect(await auth.ensureAdmin(address.toLowerCase(), 'operator-chose-this-1')).toBe('kept');
    const login = await api.request('POST', '/api/auth/login', { body: { email: address, password: 'operator-chose-this-1' } });
    expect(login.body.user).toMatchObject({ role: 'ADMIN', email: address.toLowerCase() });
  });
});

describe('4. one mailbox, one free allowance', () => {
  it('refuses sub-addresses, dots, full-width letters, other scripts and invisible characters as new accounts', async () => {
    const name = `alice${Date.now()}`;
    const first = await api.request('POST', '/api/auth/register', { body: { email: `${name}@gmail.com`, password: 'Sturdy-lamp-41' } });
    expect(first.status).toBe(201);
    const fullWidth = [...name].map((char) => (/[a-z]/.test(char) ? String.fromCodePoint(char.codePointAt(0)! + 0xfee0) : char)).join('');
    for (const email of [`${name}+1@gmail.com`, `${name[0]}.${name.slice(1)}@gmail.com`, `${fullWidth}@gmail.com`, `${name.toUpperCase()}@GMAIL.com`, `${name}@googlemail.com`]) {
      const response = await api.request('POST', '/api/auth/register', { body: { email, password: 'Sturdy-lamp-41' } });
      expect(response.status, email).toBe(409);
      expect(response.body.code).toBe('EMAIL_TAKEN');
    }
    for (const email of [`\u0430${name.slice(1)}@gmail.com`, `${name}\u200b@gmail.com`, `${name}\u200d@gmail.com`, `${name}@gmail\u200b.com`, `${name} x@gmail.com`]) {
      const response = await api.request('POST', '/api/auth/register', { body: { email, password: 'Sturdy-lamp-41' } });
      expect(response.status, JSON.stringify(email)).toBe(400);
      expect(response.body.fields[0].field).toBe('email');
    }
  });

  it('limits registrations per address on their own, tighter than logins', async () => {
    const limited = await createTestApp({ REGISTER_RATE_LIMIT_PER_HOUR: '3' });
    try {
      const statuses = [];
      for (let index = 0; index < 4; index += 1) {
        statuses.push((await limited.request('POST', '/api/auth/register', { body: { email: `r${index}-${Date.now()}@example.com`, password: 'Sturdy-lamp-41' } })).status);
      }
      expect(statuses).toEqual([201, 201, 201, 429]);
      const login = await limited.request('POST', '/api/auth/login', { body: { email: 'nobody@example.com', password: 'Sturdy-lamp-41' } });
      expect(login.status).toBe(401);
    } finally {
      await limited.close();
    }
  });

  it('gives accounts made before canonical addresses theirs at start, the older keeping a shared mailbox', async () => {
    const older = await api.signUp('legacy');
    const newer = await api.signUp('legacy');
    // Accounts as they were before: no canonical address, and one that would now be a duplicate.
    const duplicate = older.email.replace('@', '+old@');
    await api.database.db.update(users).set({ emailCanonical: null }).where(eq(users.id, older.id));
    await api.database.db.update(users).set({ emailCanonical: null, email: duplicate }).where(eq(users.id, newer.id));
    expect(await api.app.get(AuthService).fillCanonicalEmails()).toBeGreaterThanOrEqual(2);
    const rows = await api.database.db.select({ id: users.id, canonical: users.emailCanonical }).from(users).where(inArray(users.id, [older.id, newer.id]));
    const canonicalOf = new Map(rows.map((row) => [row.id, row.canonical]));
    expect(canonicalOf.get(older.id)).toBe(older.email);
    expect(canonicalOf.get(newer.id)).toBe(`${older.email}#${newer.id}`);
    expect((await api.request('POST', '/api/auth/login', { body: { email: duplicate, password: 'password-123' } })).status).toBe(200);
    expect((await api.request('POST', '/api/auth/register', { body: { email: older.email.replace('@', '+new@'), password: 'Sturdy-lamp-41' } })).status).toBe(409);
  });
});

describe('6. hostile shapes and numbers are a 400, not a 500', () => {
  it.each([2_000, 5_000])('refuses JSON nested %i levels deep, also on the anonymous payment webhook', async (depth) => {
    const user = await api.signUp();
    const nested = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    for (const [path, token] of [['/api/chat/send', user.token], ['/api/payments/webhook', undefined], ['/api/auth/login', undefined]] as const) {
      const response = await api.request('POST', path, { token, rawBody: `{"message":${nested}}` });
      expect(response.status, path).toBe(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'body' }] });
    }
    const brackets = await api.request('POST', '/api/chat/send', { token: user.token, rawBody: '['.repeat(50_000) + ']'.repeat(50_000) });
    expect(brackets.status).toBe(400);
    const inString = await api.request('POST', '/api/chat/send', { token: user.token, rawBody: JSON.stringify({ message: '[{'.repeat(2_000) }) });
    expect(inString.status).toBe(200);
  });

  it.each(['utf-7', 'utf-16le', 'UTF-16BE', 'utf-32'])('refuses a JSON body in %s, whose brackets the depth check could not see', async (charset) => {
    const deep = `{"a":"\u5c00","b":${'['.repeat(2_000)}${']'.repeat(2_000)}}`;
    const encoded = charset === 'utf-7' ? Buffer.from(deep.replace(/[[\]]/g, (bracket) => (bracket === '[' ? '+AFs-' : '+AF0-'))) : Buffer.from(deep, 'utf16le');
    for (const path of ['/api/auth/login', '/api/payments/webhook']) {
      const response = await fetch(`${api.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': `application/json; charset=${charset}` }, body: encoded });
      expect(response.status, `${path} ${charset}`).toBeLessThan(500);
      expect(response.status).not.toBe(200);
    }
  });

  it('refuses nesting past 32 levels after parsing too, whatever reached the parser', async () => {
    const user = await api.signUp();
    const response = await api.request('POST', '/api/chat/send', { token: user.token, body: { message: 'hi', model: JSON.parse('['.repeat(40) + ']'.repeat(40)) } });
    expect(response.status).toBe(400);
  });

  it.each(['1e23', '9007199254740993', '1e308', '-1', '1.5', 'NaN'])('refuses ?before=%s on the ledger history with 400', async (before) => {
    const user = await api.signUp();
    const response = await api.request('GET', `/api/ai-usage/history?before=${before}`, { token: user.token });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('8. weak passwords', () => {
  it.each(['12345678', 'password', '        ', 'qwerty123', 'iloveyou1', '\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000'])('refuses %j at registration', async (password) => {
    const response = await api.request('POST', '/api/auth/register', { body: { email: `weak-${Date.now()}-${Math.random()}@example.com`, password } });
    expect(response.status).toBe(400);
    expect(response.body.fields.map((field: { field: string }) => field.field)).toEqual(['password']);
  });

  it('refuses a password made of the address itself', async () => {
    const response = await api.request('POST', '/api/auth/register', { body: { email: 'sunflowerdesk@example.com', password: 'sunflowerdesk' } });
    expect(response.status).toBe(400);
  });
});

describe('9. headers and documentation as documented', () => {
  it('accepts the bearer scheme in any case (RFC 7235)', async () => {
    const user = await api.signUp();
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const response = await fetch(`${api.baseUrl}/api/auth/me`, { headers: { authorization: `${scheme} ${user.token}` } });
      expect(response.status, scheme).toBe(200);
    }
  });

  it('keeps Swagger off in production unless SWAGGER_ENABLED=true', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgres://localhost/x', TOSS_CLIENT_KEY: 'live_ck_x', TOSS_SECRET_KEY: 'live_sk_x', PUBLIC_URL: 'https://consult-on.example.com' };
    expect(loadConfig(production).swaggerEnabled).toBe(false);
    expect(loadConfig({ ...production, SWAGGER_ENABLED: 'true' }).swaggerEnabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).swaggerEnabled).toBe(true);
  });

  it('counts the rate limit per client address across routes, as documented', async () => {
    const limited = await createTestApp({ RATE_LIMIT_PER_MINUTE: '6' });
    try {
      await earlyInAMinute();
      const user = await limited.signUp();
      const statuses = [];
      for (const path of ['/api/auth/me', '/api/ai-usage', '/api/chat/models', '/api/auth/me', '/api/ai-usage', '/api/chat/models']) {
        statuses.push((await limited.request('GET', path, { token: user.token })).status);
      }
      // The sign-up was the first request of the six.
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    } finally {
      await limited.close();
    }
  }, 120_000);
});

/** The built API (`apps/api/dist/main.js`) in a process of its own, on DATABASE_URL if set, else a fresh embedded database. */
async function startBuiltApi() {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'consult-on-timing-'));
  const child = spawn(process.execPath, [fileURLToPath(new URL('../dist/main.js', import.meta.url))], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      DEMO_ACCOUNTS: 'false',
      SERVE_WEB: 'false',
      JWT_SECRET: 'timing-secret-timing-secret-timing-0123',
      RATE_LIMIT_PER_MINUTE: '100000',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      REGISTER_RATE_LIMIT_PER_HOUR: '100000',
      REDIS_KEY_PREFIX: `consult-on-timing:${process.pid}:`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => String(chunk).includes('is running') && resolve());
    child.once('exit', (code) => reject(new Error(`the API exited with ${code} before it started`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    post: (route: string, body: unknown, token?: string) =>
      fetch(url + route, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
