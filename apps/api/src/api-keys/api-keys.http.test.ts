import { eq } from 'drizzle-orm';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAiServer } from '../../testing/fake-openai-server.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';
import { apiKeys } from '../database/schema.js';
import { secretHash } from '../common/secret-token.js';

// API keys: shown once, kept as a hash, listed by prefix, revoked at once; a key authenticates
// OpenAI's own SDK against /v1 (here GET /v1/models, the models of the key's plan).
let fake: FakeOpenAiServer;
let api: TestApp;
let admin: { id: string; token: string };

beforeAll(async () => {
  fake = await new FakeOpenAiServer().start();
  api = await createTestApp({
    OPENAI_API_KEY: 'test-key',
    OPENAI_BASE_URL: fake.url,
    PLANS: JSON.stringify({ lite: { name: { ko: '라이트', en: 'Lite' }, monthlyTokens: 500_000, models: ['consult-basic'], completionLimit: 100, turnsPerMinute: 30, concurrentTurns: 2, priceKrw: 0, forSale: true } }),
  });
  admin = await api.signUpAdmin();
});
afterAll(async () => {
  await api?.close();
  await fake?.close();
});

type User = { id: string; token: string };
const createKey = (user: User, body: object, organizationId?: string) =>
  api.request('POST', organizationId ? `/api/organizations/${organizationId}/api-keys` : '/api/api-keys', { token: user.token, body });
const sdk = (key: string) => new OpenAI({ apiKey: key, baseURL: `${api.baseUrl}/v1`, maxRetries: 0 });

describe('personal API keys', () => {
  it('shows the key once, keeps only its hash, lists it by prefix; the OpenAI SDK lists the models with it', async () => {
    const user = await api.signUp('keys');
    const created = await createKey(user, { name: '  상담   봇 ' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { key, prefix, id } = created.body as { key: string; prefix: string; id: string };
    expect(key).toMatch(/^co_live_[A-Za-z0-9_-]{55}$/);
    expect(key.startsWith(prefix)).toBe(true);
    expect(created.body).toMatchObject({ name: '상담 봇', organizationId: null, createdByEmail: expect.stringContaining('@'), revokedAt: null, lastUsedAt: null, expiresAt: null });

    const [row] = await api.database.db.select().from(apiKeys).where(eq(apiKeys.id, id));
    expect(row!.secretHash).toBe(secretHash(key));
    expect(JSON.stringify(row)).not.toContain(key.slice(prefix.length));
    const listed = await api.request('GET', '/api/api-keys', { token: user.token });
    expect(listed.body).toEqual([expect.objectContaining({ id, prefix, name: '상담 봇' })]);
    expect(JSON.stringify(listed.body)).not.toContain(key);

    // Another path under /v1: OpenAI's 404, which the SDK raises as its own NotFoundError.
    await expect(sdk(key).completions.create({ model: 'consult-basic', prompt: '안녕' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const models = await sdk(key).models.list();
    const allowed = ((await api.request('GET', '/api/chat/models', { token: user.token })).body as { id: string; allowed: boolean }[]).filter((model) => model.allowed);
    expect(models.data.map((model) => model.id)).toEqual(allowed.map((model) => model.id));
    expect(models.data[0]).toMatchObject({ object: 'model', owned_by: 'consult-on', created: expect.any(Number) });
    expect((await api.request('GET', '/api/api-keys', { token: user.token })).body[0].lastUsedAt).not.toBeNull();
  });

  it('refuses a revoked, an expired, a changed and a missing key with 401 invalid_api_key, in OpenAI’s envelope', async () => {
    const user = await api.signUp('keys-refused');
    const { key, id } = (await createKey(user, { name: 'short', expiresInDays: 1 })).body as { key: string; id: string };
    await sdk(key).models.list();

    const changed = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    await expect(sdk(changed).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const raw = await fetch(`${api.baseUrl}/v1/models`);
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', code: 'invalid_api_key', param: null } });
    for (const bogus of ['co_live_', 'sk-not-ours', `${key}\u0000`, 'x'.repeat(10_000)]) {
      const response = await fetch(`${api.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${bogus.replace('\u0000', '%00')}` } });
      expect(response.status).toBe(401);
    }

    api.clock.advance(25 * 3_600_000);
    await expect(sdk(key).models.list()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });

    const other = (await createKey(user, { name: 'revoked' })).body as { key: string; id: string };
    await sdk(other.key).models.list();
    const revoked = await api.request('DELETE', `/api/api-keys/${other.id}`, { token: user.token });
    expect(revoked.body).toMatchObject({ id: other.id, revokedAt: expect.any(String) });
    await expect(sdk(other.key).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(id).not.toBe(other.id);
  });

  it('lets nobody else see or revoke a key; a session token is not a key; bad names are refused', async () => {
    const owner = await api.signUp('keys-owner');
    const stranger = await api.signUp('keys-stranger');
    const { id } = (await createKey(owner, { name: 'mine' })).body as { id: string };
    expect((await api.request('DELETE', `/api/api-keys/${id}`, { token: stranger.token })).status).toBe(404);
    expect((await api.request('GET', '/api/api-keys', { token: stranger.token })).body).toEqual([]);
    expect((await api.request('GET', '/api/api-keys')).status).toBe(401);
    expect((await fetch(`${api.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${owner.token}` } })).status).toBe(401);
    for (const name of ['', '   ', 'x'.repeat(101), 'a\u0000b', 42]) {
      expect((await createKey(owner, { name })).status, JSON.stringify(name)).toBe(400);
    }
    expect((await createKey(owner, { name: 'ok', expiresInDays: 0 })).status).toBe(400);
    expect((await createKey(owner, { name: 'ok', monthlyBudgetTokens: 1e23 })).status).toBe(400);
    expect((await createKey(owner, { name: 'ok', models: ['no-such-model'] })).status).toBe(400);
    expect((await createKey(owner, { name: 'ok', turnsPerMinute: 0 })).status).toBe(400);
    expect((await createKey(owner, { name: 'ok', concurrentTurns: 1.5 })).status).toBe(400);
    expect((await api.request('PATCH', `/api/api-keys/${id}`, { token: owner.token, body: { models: Array.from({ length: 21 }, () => 'consult-basic') } })).status).toBe(400);
    expect((await api.request('PATCH', `/api/api-keys/${id}`, { token: owner.token, body: { keepConversations: 'yes' } })).status).toBe(400);
    expect((await api.request('PATCH', `/api/api-keys/${id}`, { token: owner.token, body: { models: [] } })).body).toMatchObject({ models: null });
    expect((await createKey(owner, { name: 'ok', expiresInDays: 1e23 })).status).toBe(400);
  });
});

describe('how many keys', () => {
  it('an owner keeps at most 50 keys in use; a revoked one makes room', async () => {
    const user = await api.signUp('keys-many');
    const made: string[] = [];
    for (let index = 0; index < 50; index += 1) made.push(((await createKey(user, { name: `key ${index}` })).body as { id: string }).id);
    const refused = await createKey(user, { name: 'one too many' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'TOO_MANY_API_KEYS', limit: 50 });
    await api.request('DELETE', `/api/api-keys/${made[0]}`, { token: user.token });
    expect((await createKey(user, { name: 'in its place' })).status).toBe(201);
  });
});

describe("an organization's API keys", () => {
  it('are made and revoked by its owners and admins, spend the pool’s plan, and stop when their maker leaves', async () => {
    const owner = await api.signUp('org-keys-owner');
    const organizationId = await api.createOrganization(owner);
    const adminMember = await api.joinOrganization(owner, organizationId, { role: 'ADMIN', prefix: 'org-keys-admin' });
    const member = await api.joinOrganization(owner, organizationId, { prefix: 'org-keys-member' });
    const stranger = await api.signUp('org-keys-stranger');
    expect((await createKey(member, { name: 'no' }, organizationId)).status).toBe(403);
    expect((await createKey(stranger, { name: 'no' }, organizationId)).status).toBe(404);
    expect((await api.request('GET', `/api/organizations/${organizationId}/api-keys`, { token: member.token })).status).toBe(403);

    // The pool on a plan with one model: the key lists that one, whatever its maker's own plan allows.
    expect((await api.request('PUT', `/api/admin/organizations/${organizationId}/plan`, { token: admin.token, body: { planId: 'lite' } })).status).toBe(200);
    const created = await createKey(adminMember, { name: '사내 챗봇' }, organizationId);
    expect(created.body).toMatchObject({ organizationId, createdByEmail: adminMember.email });
    const { key, id } = created.body as { key: string; id: string };
    expect((await sdk(key).models.list()).data.map((model) => model.id)).toEqual(['consult-basic']);
    expect((await api.request('GET', `/api/organizations/${organizationId}/api-keys`, { token: owner.token })).body.map((item: { id: string }) => item.id)).toEqual([id]);
    // Not a personal key of its maker's.
    expect((await api.request('GET', '/api/api-keys', { token: adminMember.token })).body).toEqual([]);

    // Its maker removed from the organization: the key stops at once, revoked for good (not back when they are).
    expect((await api.request('DELETE', `/api/organizations/${organizationId}/members/${adminMember.id}`, { token: owner.token })).status).toBeLessThan(300);
    await expect(sdk(key).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await api.joinOrganization(owner, organizationId, { role: 'ADMIN', user: adminMember });
    await expect(sdk(key).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect((await api.request('GET', `/api/organizations/${organizationId}/api-keys`, { token: owner.token })).body[0]).toMatchObject({ id, revokedAt: expect.any(String) });
    // An admin made a plain member: their keys stop too.
    const third = (await createKey(adminMember, { name: 'third' }, organizationId)).body as { key: string };
    await sdk(third.key).models.list();
    expect((await api.request('PATCH', `/api/organizations/${organizationId}/members/${adminMember.id}`, { token: owner.token, body: { role: 'MEMBER' } })).status).toBe(200);
    await expect(sdk(third.key).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);

    // Another admin's key, revoked by the owner.
    const second = (await createKey(owner, { name: 'second' }, organizationId)).body as { key: string; id: string };
    await sdk(second.key).models.list();
    expect((await api.request('DELETE', `/api/api-keys/${second.id}`, { token: member.token })).status).toBe(403);
    expect((await api.request('DELETE', `/api/api-keys/${second.id}`, { token: owner.token })).status).toBe(200);
    await expect(sdk(second.key).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
