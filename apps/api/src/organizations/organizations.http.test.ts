import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

type User = { id: string; token: string; email: string };

let api: TestApp;

beforeAll(async () => {
  api = await createTestApp();
});
afterAll(async () => {
  await api?.close();
});

const organization = (owner: User, name?: string) => api.createOrganization(owner, name);

async function invite(by: User, organizationId: string, role: 'ADMIN' | 'MEMBER', expiresInHours?: number) {
  return api.request('POST', `/api/organizations/${organizationId}/invitations`, { token: by.token, body: { role, ...(expiresInHours ? { expiresInHours } : {}) } });
}

const accept = (user: User, token: string) => api.request('POST', '/api/organizations/invitations/accept', { token: user.token, body: { token } });

const join = (owner: User, organizationId: string, role: 'ADMIN' | 'MEMBER' = 'MEMBER') => api.joinOrganization(owner, organizationId, { role });

describe('an organization', () => {
  it('is created by a user, who owns it; its name is trimmed', async () => {
    const owner = await api.signUp('owner');
    const created = await api.request('POST', '/api/organizations', { token: owner.token, body: { name: '  온길   상담센터 ' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: '온길 상담센터', role: 'OWNER', members: [{ userId: owner.id, email: owner.email, role: 'OWNER', monthlyLimitTokens: null }] });
    const list = await api.request('GET', '/api/organizations', { token: owner.token });
    expect(list.body).toEqual([expect.objectContaining({ id: created.body.id, name: '온길 상담센터', role: 'OWNER', members: 1 })]);
  });

  it('refuses a name that is blank, too long, or carries NUL', async () => {
    const owner = await api.signUp('names');
    for (const name of ['   ', 'x'.repeat(61), '조직\u0000', { ko: '조직' }, ['조직'], 42]) {
      expect((await api.request('POST', '/api/organizations', { token: owner.token, body: { name } })).status).toBe(400);
    }
    expect((await api.request('POST', '/api/organizations', { token: owner.token, body: { name: 'x'.repeat(60) } })).status).toBe(201);
  });

  it('does not exist for anyone outside it; a member sees it without the member list', async () => {
    const owner = await api.signUp('private');
    const id = await organization(owner);
    const stranger = await api.signUp('stranger');
    for (const [method, path, body] of [
      ['GET', `/api/organizations/${id}`, undefined],
      ['PATCH', `/api/organizations/${id}`, { name: '빼앗긴 조직' }],
      ['POST', `/api/organizations/${id}/invitations`, { role: 'MEMBER' }],
      ['GET', `/api/organizations/${id}/invitations`, undefined],
      ['DELETE', `/api/organizations/${id}/members/${owner.id}`, undefined],
      ['PATCH', `/api/organizations/${id}/members/${owner.id}`, { role: 'MEMBER' }],
    ] as const) {
      expect((await api.request(method, path, { token: stranger.token, body })).status, `${method} ${path}`).toBe(404);
    }
    const member = await join(owner, id);
    const seen = await api.request('GET', `/api/organizations/${id}`, { token: member.token });
    expect(seen.body).toMatchObject({ id, role: 'MEMBER', members: null });
    expect((await api.request('PATCH', `/api/organizations/${id}`, { token: member.token, body: { name: '바뀐 이름' } })).status).toBe(403);
    expect((await invite(member, id, 'MEMBER')).status).toBe(403);
    expect((await api.request('GET', `/api/organizations/${id}/invitations`, { token: member.token })).status).toBe(403);
    expect((await api.request('DELETE', `/api/organizations/${id}/members/${owner.id}`, { token: member.token })).status).toBe(403);
  });
});

describe('invitation links', () => {
  it('are used once, by a logged-in user, who joins with the link’s role', async () => {
    const owner = await api.signUp('inviter');
    const id = await organization(owner);
    const link = await invite(owner, id, 'ADMIN');
    expect(link.status).toBe(201);
    expect(link.body).toMatchObject({ role: 'ADMIN', token: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/), path: `/organizations/join/?token=${link.body.token}` });
    expect((await api.request('GET', `/api/organizations/${id}/invitations`, { token: owner.token })).body).toHaveLength(1);
    const guest = await api.signUp('guest');
    expect((await api.request('POST', '/api/organizations/invitations/accept', { body: { token: link.body.token } })).status).toBe(401);
    const joined = await accept(guest, link.body.token);
    expect(joined).toMatchObject({ status: 200, body: { organizationId: id, role: 'ADMIN' } });
    expect((await accept(guest, link.body.token)).body.code).toBe('INVITATION_INVALID');
    expect((await accept(await api.signUp('late'), link.body.token)).status).toBe(410);
    expect((await api.request('GET', `/api/organizations/${id}/invitations`, { token: owner.token })).body).toHaveLength(0);
    // Already in: a second link says so, and the link stays usable by someone else.
    const again = await invite(owner, id, 'MEMBER');
    expect((await accept(guest, again.body.token)).body.code).toBe('ALREADY_MEMBER');
  });

  it('expire, can be revoked, and a made-up token is refused', async () => {
    const owner = await api.signUp('expiry');
    const id = await organization(owner);
    const short = await invite(owner, id, 'MEMBER', 1);
    const revoked = await invite(owner, id, 'MEMBER');
    expect((await api.request('DELETE', `/api/organizations/${id}/invitations/${revoked.body.id}`, { token: owner.token })).status).toBe(204);
    expect((await api.request('DELETE', `/api/organizations/${id}/invitations/${revoked.body.id}`, { token: owner.token })).status).toBe(404);
    const user = await api.signUp('expired');
    expect((await accept(user, revoked.body.token)).status).toBe(410);
    api.clock.advance(3_600_001);
    expect((await accept(user, short.body.token)).status).toBe(410);
    expect((await accept(user, 'A'.repeat(32))).status).toBe(410);
    for (const token of ['short', 'A'.repeat(33), 'A'.repeat(31) + '\u0000', '../../etc/passwd/../../../../aa']) {
      expect((await accept(user, token)).status).toBe(400);
    }
    expect((await invite(owner, id, 'MEMBER', 721)).status).toBe(400);
    expect((await api.request('POST', `/api/organizations/${id}/invitations`, { token: owner.token, body: { role: 'OWNER' } })).status).toBe(400);
  });

  it('from an admin invite members only', async () => {
    const owner = await api.signUp('boss');
    const id = await organization(owner);
    const admin = await join(owner, id, 'ADMIN');
    expect((await invite(admin, id, 'ADMIN')).status).toBe(403);
    expect((await invite(admin, id, 'MEMBER')).status).toBe(201);
  });
});

describe('roles and removal', () => {
  it('admins run the members but never touch an owner; only an owner makes an owner', async () => {
    const owner = await api.signUp('roles');
    const id = await organization(owner);
    const admin = await join(owner, id, 'ADMIN');
    const member = await join(owner, id);
    const role = (by: User, who: User, to: string) => api.request('PATCH', `/api/organizations/${id}/members/${who.id}`, { token: by.token, body: { role: to } });
    expect((await role(admin, member, 'ADMIN')).status).toBe(200);
    expect((await role(admin, member, 'MEMBER')).status).toBe(200);
    expect((await role(admin, owner, 'MEMBER')).status).toBe(403);
    expect((await role(admin, member, 'OWNER')).status).toBe(403);
    expect((await role(member, admin, 'MEMBER')).status).toBe(403);
    const promoted = await role(owner, member, 'OWNER');
    expect(promoted.body.members.find((m: { userId: string }) => m.userId === member.id).role).toBe('OWNER');
    // What each caller may do, as the API says it (the web shows only that).
    const byAdmin = await api.request('GET', `/api/organizations/${id}`, { token: admin.token });
    const actions = Object.fromEntries(byAdmin.body.members.map((m: { userId: string; assignableRoles: string[]; removable: boolean }) => [m.userId, [m.assignableRoles, m.removable]]));
    expect(actions).toEqual({ [owner.id]: [[], false], [admin.id]: [['MEMBER'], true], [member.id]: [[], false] });
    expect(byAdmin.body.invitableRoles).toEqual(['MEMBER']);
    const byOwner = await api.request('GET', `/api/organizations/${id}`, { token: owner.token });
    expect(byOwner.body.invitableRoles).toEqual(['ADMIN', 'MEMBER']);
    expect(byOwner.body.members.find((m: { userId: string }) => m.userId === admin.id)).toMatchObject({ assignableRoles: ['OWNER', 'MEMBER'], removable: true });
    expect((await api.request('DELETE', `/api/organizations/${id}/members/${member.id}`, { token: admin.token })).status).toBe(403);
    expect((await api.request('DELETE', `/api/organizations/${id}/members/${admin.id}`, { token: owner.token })).status).toBe(204);
    expect((await api.request('GET', `/api/organizations/${id}`, { token: admin.token })).status).toBe(404);
    expect((await role(owner, admin, 'MEMBER')).status).toBe(404);
  });

  it('always keep one owner, even when two owners step down at once', async () => {
    const owner = await api.signUp('sole');
    const id = await organization(owner);
    expect((await api.request('DELETE', `/api/organizations/${id}/members/${owner.id}`, { token: owner.token })).body.code).toBe('LAST_OWNER');
    expect((await api.request('PATCH', `/api/organizations/${id}/members/${owner.id}`, { token: owner.token, body: { role: 'ADMIN' } })).body.code).toBe('LAST_OWNER');
    const second = await join(owner, id, 'ADMIN');
    await api.request('PATCH', `/api/organizations/${id}/members/${second.id}`, { token: owner.token, body: { role: 'OWNER' } });
    // Each leaves at the same moment: one goes, the other is refused.
    const results = await Promise.all([owner, second].map((who) => api.request('DELETE', `/api/organizations/${id}/members/${who.id}`, { token: who.token })));
    expect(results.map((result) => result.status).sort()).toEqual([204, 409]);
    const stayed = results[0]!.status === 409 ? owner : second;
    const left = await api.request('GET', `/api/organizations/${id}`, { token: stayed.token });
    expect(left.body.members).toEqual([expect.objectContaining({ userId: stayed.id, role: 'OWNER' })]);
  });

  it('a member may leave by themself', async () => {
    const owner = await api.signUp('leave');
    const id = await organization(owner);
    const member = await join(owner, id);
    expect((await api.request('DELETE', `/api/organizations/${id}/members/${member.id}`, { token: member.token })).status).toBe(204);
    expect((await api.request('GET', '/api/organizations', { token: member.token })).body).toEqual([]);
  });
});
